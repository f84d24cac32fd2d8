//go:build !unix

package outbox

func processStart(int) string { return "" }

// processGone cannot tell here: leases run out by themselves.
func processGone(int, string) bool { return false }
