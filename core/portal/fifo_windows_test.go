package portal

import "errors"

// syscallMkfifo: Windows has no named pipe in the file system.
func syscallMkfifo(string) error { return errors.New("no FIFO on Windows") }
