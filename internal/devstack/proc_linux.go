package devstack

import "syscall"

// bindToParent puts the child in its own process group and asks the kernel to
// signal it when we die.
//
// Setpgid keeps the terminal's Ctrl-C away from the child: our parent receives
// it and shuts the children down in order, instead of every process getting
// the signal at once. Pdeathsig covers the case where we die without calling
// Stop (panic, SIGKILL, a crashed test binary), so no server is leaked.
func bindToParent(attr *syscall.SysProcAttr, deathSig syscall.Signal) {
	attr.Setpgid = true
	attr.Pdeathsig = deathSig
}
