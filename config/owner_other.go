//go:build !unix

package config

import "io/fs"

// ownerOf: no uid on this system.
func ownerOf(fs.FileInfo) (int, bool) { return 0, false }
