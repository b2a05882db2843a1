package web

import (
	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/ident"
)

// maskContact shows enough of a contact for its owner to recognise it: "+7 916 ***-**-67",
// "i***@example.ru".
func maskContact(kind account.ContactKind, value string) string {
	if kind == account.Phone {
		return maskPhone(value)
	}
	return maskEmail(value)
}

func maskPhone(e164 string) string { return ident.MaskPhone(e164) }

func maskEmail(email string) string { return ident.MaskEmail(email) }

// showContact formats a contact for its owner: a phone as "+7 916 123-45-67".
func showContact(kind account.ContactKind, value string) string {
	if kind == account.Phone {
		return ident.FormatPhone(value)
	}
	return value
}
