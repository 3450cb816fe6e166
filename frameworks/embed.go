// Package frameworks embeds the framework files that ship with assessbot.
package frameworks

import (
	"embed"
	"io/fs"
)

//go:embed *.yaml
var files embed.FS

// FS returns the shipped framework files, at the root of the file system.
func FS() fs.FS { return files }
