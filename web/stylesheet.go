package web

// StyleSheet returns the shared stylesheet (served at /static/style.css),
// for pages written as one self-contained file (Chrome.Inline).
func StyleSheet() string { return string(styleCSS) }
