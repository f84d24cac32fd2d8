package capture

import "github.com/postie/postie/internal/textsafe"

// escapeText makes text that came from the network safe for a terminal
// or a log (no escape sequences, no bidi overrides).
func escapeText(s string) string { return textsafe.Terminal(s) }
