package sync

import "encoding/json"

var jsonUnmarshal = json.Unmarshal
