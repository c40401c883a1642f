//go:build unix

package cli

import "syscall"

// diskFree returns the bytes an unprivileged user may still write on the
// disk that holds dir, and false when it cannot tell.
func diskFree(dir string) (uint64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return uint64(st.Bavail) * uint64(st.Bsize), true
}
