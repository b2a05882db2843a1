package messages

// Letter templates (confirmation by a code in a registered letter). Data fields: .Name,
// .Site; LetterReminder: .Until (the code's last day).
const (
	LetterConfirmed Template = "letter_confirmed"
	LetterReminder  Template = "letter_reminder"
)

// lettersCatalog holds the texts of the templates above, kept apart like securityCatalog.
var lettersCatalog = map[Template]map[string]text{
	LetterConfirmed: {
		"ru": {
			Subject: "Учётная запись Civis подтверждена",
			SMS:     "Civis: личность подтверждена кодом из письма, учётная запись подтверждённая. Если это были не вы, восстановите доступ: {{.Site}}",
			Email: "Здравствуйте, {{.Name}}!\n\nВы ввели код из заказного письма: ваша учётная запись Civis теперь подтверждённая " +
				"(способ подтверждения — код по почте).\n\nНекоторые сайты не принимают этот способ; для них подтвердите личность " +
				"в центре обслуживания с паспортом.\n\nЕсли это были не вы, сразу восстановите доступ: {{.Site}}",
		},
		"en": {
			Subject: "Your Civis account is confirmed",
			SMS:     "Civis: your identity was confirmed by the code from the letter; the account is confirmed. If it was not you, recover access: {{.Site}}",
			Email: "Hello {{.Name}},\n\nYou entered the code from the registered letter: your Civis account is now confirmed " +
				"(method: code by mail).\n\nSome sites do not accept this method; for them, confirm your identity at a service " +
				"center with your passport.\n\nIf it was not you, recover access at once: {{.Site}}",
		},
	},
	LetterReminder: {
		"ru": {
			Subject: "Civis: введите код из письма",
			SMS:     "Civis: вам отправлено заказное письмо с кодом подтверждения личности. Введите код до {{.Until}}: {{.Site}}",
			Email: "Здравствуйте, {{.Name}}!\n\nДве недели назад мы отправили вам заказное письмо с кодом подтверждения личности. " +
				"Код ещё не введён. Он действует до {{.Until}}.\n\nПолучите письмо на почте и введите код: {{.Site}}\n\n" +
				"Если письмо не пришло, закажите новое на той же странице: прежний код перестанет действовать.",
		},
		"en": {
			Subject: "Civis: enter the code from the letter",
			SMS:     "Civis: a registered letter with your identity confirmation code was sent to you. Enter the code before {{.Until}}: {{.Site}}",
			Email: "Hello {{.Name}},\n\nTwo weeks ago we sent you a registered letter with an identity confirmation code. " +
				"The code has not been entered yet. It is valid until {{.Until}}.\n\nCollect the letter at the post office and enter the code: {{.Site}}\n\n" +
				"If the letter did not come, order a new one on the same page: the previous code will stop working.",
		},
	},
}
