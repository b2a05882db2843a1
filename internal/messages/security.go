package messages

// Sign-in and second-factor templates. Data fields: .Name, .Site; LoginCode: .Code, .Minutes.
const (
	LoginCode            Template = "login_code"
	TOTPEnabled          Template = "totp_enabled"
	TOTPDisabled         Template = "totp_disabled"
	SMSFactorEnabled     Template = "sms_factor_enabled"
	SMSFactorDisabled    Template = "sms_factor_disabled"
	PasskeyAdded         Template = "passkey_added"
	PasskeyRemoved       Template = "passkey_removed"
	RecoveryCodesCreated Template = "recovery_codes_created"
	RecoveryCodeUsed     Template = "recovery_code_used"
	SecondFactorsReset   Template = "second_factors_reset"
)

// securityCatalog holds the texts of the templates above, kept apart from the registration
// ones so that each feature owns its file.
var securityCatalog = map[Template]map[string]text{
	LoginCode: {
		"ru": {
			Subject: "Код для входа в Civis",
			SMS:     "Civis: код для входа {{.Code}}. Действует {{.Minutes}} мин. Никому не сообщайте его, даже сотрудникам.",
			Email:   "Здравствуйте!\n\nКод для входа в Civis: {{.Code}}\nОн действует {{.Minutes}} минут. Никому не сообщайте его.",
		},
		"en": {
			Subject: "Your Civis sign-in code",
			SMS:     "Civis: your sign-in code is {{.Code}}. Valid {{.Minutes}} min. Never share it, not even with staff.",
			Email:   "Hello,\n\nYour Civis sign-in code is {{.Code}}\nIt is valid for {{.Minutes}} minutes. Never share it.",
		},
	},
	TOTPEnabled: securityText("к учётной записи подключено приложение-аутентификатор",
		"an authenticator app was added to your account"),
	TOTPDisabled: securityText("приложение-аутентификатор отключено от учётной записи",
		"the authenticator app was removed from your account"),
	SMSFactorEnabled: securityText("включён вход с кодом из SMS",
		"sign-in with an SMS code was turned on"),
	SMSFactorDisabled: securityText("вход с кодом из SMS отключён",
		"sign-in with an SMS code was turned off"),
	PasskeyAdded:   securityText("добавлен ключ доступа (passkey)", "a passkey was added"),
	PasskeyRemoved: securityText("ключ доступа (passkey) удалён", "a passkey was removed"),
	RecoveryCodesCreated: securityText("созданы новые резервные коды; прежние больше не действуют",
		"new recovery codes were created; the previous ones no longer work"),
	RecoveryCodeUsed: securityText("для входа использован резервный код",
		"a recovery code was used to sign in"),
	SecondFactorsReset: securityText("все способы второго шага входа удалены",
		"every second sign-in step was removed"),
}

// securityText is a notice of a change to how the citizen signs in, with what to do if it
// was not them.
func securityText(ru, en string) map[string]text {
	return map[string]text{
		"ru": {
			Subject: "Civis: изменены настройки входа",
			SMS:     "Civis: " + ru + ". Если это были не вы, восстановите доступ: {{.Site}}",
			Email: "Здравствуйте, {{.Name}}!\n\nВ вашей учётной записи Civis " + ru + ".\n\n" +
				"Если это были вы, ничего делать не нужно. Если нет — сразу восстановите доступ: {{.Site}}",
		},
		"en": {
			Subject: "Civis: your sign-in settings changed",
			SMS:     "Civis: " + en + ". If it was not you, recover access: {{.Site}}",
			Email: "Hello {{.Name}},\n\nOn your Civis account, " + en + ".\n\n" +
				"If it was you, there is nothing to do. If not, recover access at once: {{.Site}}",
		},
	}
}
