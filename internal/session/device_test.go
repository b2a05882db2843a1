package session

import "testing"

func TestParseUserAgent(t *testing.T) {
	for _, tc := range []struct {
		ua   string
		want Device
	}{
		{"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", Device{"Firefox 128", "Linux"}},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", Device{"Edge 126", "Windows"}},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", Device{"Safari 604", "iOS"}},
		{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.71 Mobile Safari/537.36", Device{"Chrome 126", "Android"}},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 YaBrowser/24.6.0.0 Safari/537.36", Device{"Yandex Browser 24", "macOS"}},
		{"Go-http-client/1.1", Device{"Go client 1", ""}},
		{"", Device{}},
	} {
		if got := ParseUserAgent(tc.ua); got != tc.want {
			t.Errorf("ParseUserAgent(%q) got %+v, want %+v", tc.ua, got, tc.want)
		}
	}
}
