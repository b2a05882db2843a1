package session

import "strings"

// Device is what a User-Agent string tells about the client, in words a citizen recognises:
// the browser (or app) and the operating system. Either may be "" when unknown.
type Device struct {
	Browser string
	OS      string
}

// ParseUserAgent reads the browser and the operating system from a User-Agent header by the
// well-known product tokens. It is deliberately simple: it names the device in a list, it does
// not decide anything.
func ParseUserAgent(ua string) Device {
	return Device{Browser: browserOf(ua), OS: osOf(ua)}
}

// browserTokens are checked in order: Edge and Opera also say Chrome, Chrome also says Safari.
var browserTokens = []struct{ token, name string }{
	{"YaBrowser/", "Yandex Browser"},
	{"Edg/", "Edge"},
	{"EdgA/", "Edge"},
	{"OPR/", "Opera"},
	{"SamsungBrowser/", "Samsung Internet"},
	{"Firefox/", "Firefox"},
	{"FxiOS/", "Firefox"},
	{"HeadlessChrome/", "Chrome (headless)"},
	{"CriOS/", "Chrome"},
	{"Chromium/", "Chromium"},
	{"Chrome/", "Chrome"},
	{"Safari/", "Safari"},
	{"curl/", "curl"},
	{"okhttp/", "Android app"},
	{"Go-http-client/", "Go client"},
}

func browserOf(ua string) string {
	for _, b := range browserTokens {
		if i := strings.Index(ua, b.token); i >= 0 {
			return b.name + major(ua[i+len(b.token):])
		}
	}
	return ""
}

// major returns " <major version>" from the text after a product token, or "".
func major(s string) string {
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end == 0 || end > 6 {
		return ""
	}
	return " " + s[:end]
}

var osTokens = []struct{ token, name string }{
	{"Windows", "Windows"},
	{"iPhone", "iOS"},
	{"iPad", "iPadOS"},
	{"Android", "Android"},
	{"CrOS", "ChromeOS"},
	{"Mac OS X", "macOS"},
	{"Macintosh", "macOS"},
	{"Linux", "Linux"},
}

func osOf(ua string) string {
	for _, o := range osTokens {
		if strings.Contains(ua, o.token) {
			return o.name
		}
	}
	return ""
}
