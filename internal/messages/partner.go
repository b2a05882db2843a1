package messages

// Partner-bank templates. Data fields: .Name, .Bank (the bank's name), .Site (access recovery).
const (
	BankConfirmed Template = "bank_confirmed"
)

// partnerCatalog holds the texts of the templates above, kept apart like securityCatalog.
var partnerCatalog = map[Template]map[string]text{
	BankConfirmed: {
		"ru": {
			Subject: "Учётная запись Civis подтверждена банком",
			SMS:     "Civis: {{.Bank}} подтвердил вашу личность, учётная запись подтверждённая. Если вы не обращались в банк, восстановите доступ: {{.Site}}",
			Email: "Здравствуйте, {{.Name}}!\n\n{{.Bank}} подтвердил вашу личность: ваша учётная запись Civis теперь подтверждённая " +
				"(способ подтверждения — банк).\n\nЕсли вы не обращались в этот банк, сразу восстановите доступ и обратитесь " +
				"в центр обслуживания: {{.Site}}",
		},
		"en": {
			Subject: "Your Civis account was confirmed by a bank",
			SMS:     "Civis: {{.Bank}} confirmed your identity; the account is confirmed. If you did not ask your bank, recover access: {{.Site}}",
			Email: "Hello {{.Name}},\n\n{{.Bank}} confirmed your identity: your Civis account is now confirmed " +
				"(method: bank).\n\nIf you did not ask this bank, recover access at once and visit a service center: {{.Site}}",
		},
	},
}
