//go:build unix && !linux

package devstack

import "syscall"

// bindToParent puts the child in its own process group so that the terminal's
// Ctrl-C reaches only our parent, which then stops the children in order.
// Outside Linux there is no parent-death signal, so callers must Stop.
func bindToParent(attr *syscall.SysProcAttr, _ syscall.Signal) {
	attr.Setpgid = true
}
