//go:build !linux

package redistest

import "syscall"

// sysProcAttr is nil off Linux: servers are stopped by t.Cleanup only.
func sysProcAttr() *syscall.SysProcAttr { return nil }
