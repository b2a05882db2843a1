package web

import (
	"embed"
	"fmt"
	"io/fs"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.toml
var localeFS embed.FS

// languages are the page languages, the default first.
var languages = []string{"ru", "en"}

// newBundle loads the embedded message catalogs — every locales/*.<lang>.toml, one file per
// feature — with Russian as the default language.
func newBundle() (*i18n.Bundle, error) {
	b := i18n.NewBundle(language.Russian)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	for _, lang := range languages {
		files, err := fs.Glob(localeFS, "locales/*."+lang+".toml")
		if err != nil || len(files) == 0 {
			return nil, fmt.Errorf("no %s message files", lang)
		}
		for _, f := range files {
			if _, err := b.LoadMessageFileFS(localeFS, f); err != nil {
				return nil, fmt.Errorf("load %s: %w", f, err)
			}
		}
	}
	return b, nil
}

// translator renders messages of one language.
type translator struct {
	loc *i18n.Localizer
}

// missingMark starts the text shown for a message id with no translation, so that tests can
// find it in a page.
const missingMark = "⟦"

func missing(id string) string { return missingMark + id + "⟧" }

// T returns the message id with optional template data given as key, value pairs; a "Count"
// key also picks the plural form.
func (t translator) T(id string, kv ...any) string {
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(kv) > 0 {
		data := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			data[k] = kv[i+1]
			if k == "Count" {
				cfg.PluralCount = kv[i+1]
			}
		}
		cfg.TemplateData = data
	}
	s, err := t.loc.Localize(cfg)
	if err != nil {
		return missing(id)
	}
	return s
}

// Has reports whether the message id is translated.
func (t translator) Has(id string) bool {
	_, err := t.loc.Localize(&i18n.LocalizeConfig{MessageID: id})
	return err == nil
}
