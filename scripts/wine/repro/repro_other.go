//go:build !windows

package main

import "fmt"

// main says where the reproductions run: they are of Windows behaviour.
func main() { fmt.Println("repro: build it for Windows (GOOS=windows) and run it under Wine") }
