package messages

// Service-center templates. Data fields: .Name, .Site, .Center (the center's name),
// .Password (a temporary password), .Link (an activation link), .Hours (its validity),
// .Kind ("phone" or "email").
const (
	OperatorTempPassword   Template = "operator_temp_password"
	OperatorActivationLink Template = "operator_activation_link"
	OperatorConfirmed      Template = "operator_confirmed"
	OperatorPasswordReset  Template = "operator_password_reset"
	OperatorContactRebound Template = "operator_contact_rebound"
	OperatorContactBound   Template = "operator_contact_bound"
)

// operatorCatalog holds the texts of the templates above, kept apart like securityCatalog.
var operatorCatalog = map[Template]map[string]text{
	OperatorTempPassword: {
		"ru": {
			Subject: "Учётная запись Civis создана",
			SMS:     "Civis: учётная запись создана в центре обслуживания. Временный пароль: {{.Password}} — смените его при первом входе: {{.Site}}",
			Email: "Здравствуйте, {{.Name}}!\n\nВ центре обслуживания «{{.Center}}» для вас создана учётная запись Civis.\n" +
				"Временный пароль: {{.Password}}\n\nВойдите на {{.Site}} и задайте свой пароль. Никому не сообщайте временный пароль.",
		},
		"en": {
			Subject: "Your Civis account was created",
			SMS:     "Civis: your account was created at a service center. Temporary password: {{.Password}} — change it at first sign-in: {{.Site}}",
			Email: "Hello {{.Name}},\n\nA Civis account was created for you at the service center \"{{.Center}}\".\n" +
				"Temporary password: {{.Password}}\n\nSign in at {{.Site}} and choose your own password. Never share the temporary one.",
		},
	},
	OperatorActivationLink: {
		"ru": {
			Subject: "Учётная запись Civis создана",
			SMS:     "Civis: учётная запись создана. Задайте пароль по ссылке (действует {{.Hours}} ч): {{.Link}}",
			Email: "Здравствуйте, {{.Name}}!\n\nДля вас создана учётная запись Civis ({{.Center}}).\n" +
				"Задайте пароль по ссылке, она действует {{.Hours}} часа: {{.Link}}",
		},
		"en": {
			Subject: "Your Civis account was created",
			SMS:     "Civis: your account was created. Choose a password here (valid {{.Hours}} h): {{.Link}}",
			Email: "Hello {{.Name}},\n\nA Civis account was created for you ({{.Center}}).\n" +
				"Choose your password with this link, valid for {{.Hours}} hours: {{.Link}}",
		},
	},
	OperatorConfirmed: {
		"ru": {
			Subject: "Личность подтверждена",
			SMS:     "Civis: ваша личность подтверждена в центре обслуживания «{{.Center}}». Учётная запись — подтверждённая.",
			Email: "Здравствуйте, {{.Name}}!\n\nВаша личность подтверждена в центре обслуживания «{{.Center}}». " +
				"Теперь ваша учётная запись Civis — подтверждённая: {{.Site}}",
		},
		"en": {
			Subject: "Your identity is confirmed",
			SMS:     "Civis: your identity was confirmed at the service center \"{{.Center}}\". Your account is now confirmed.",
			Email: "Hello {{.Name}},\n\nYour identity was confirmed at the service center \"{{.Center}}\". " +
				"Your Civis account is now confirmed: {{.Site}}",
		},
	},
	OperatorPasswordReset: {
		"ru": {
			Subject: "Временный пароль Civis",
			SMS:     "Civis: в центре обслуживания выдан временный пароль: {{.Password}} — смените его при входе: {{.Site}}. Все сеансы завершены.",
			Email: "Здравствуйте, {{.Name}}!\n\nВ центре обслуживания «{{.Center}}» для вашей учётной записи выдан временный пароль: {{.Password}}\n" +
				"Все сеансы завершены. Войдите на {{.Site}} и задайте свой пароль.",
		},
		"en": {
			Subject: "Your temporary Civis password",
			SMS:     "Civis: a service center issued a temporary password: {{.Password}} — change it at sign-in: {{.Site}}. All sessions were ended.",
			Email: "Hello {{.Name}},\n\nThe service center \"{{.Center}}\" issued a temporary password for your account: {{.Password}}\n" +
				"All sessions were ended. Sign in at {{.Site}} and choose your own password.",
		},
	},
	OperatorContactRebound: {
		"ru": {
			Subject: "Контакт отвязан от учётной записи Civis",
			SMS:     "Civis: в центре обслуживания «{{.Center}}» к вашей учётной записи привязан новый {{if eq .Kind \"phone\"}}номер{{else}}адрес{{end}}; этот больше не используется. Не обращались? Позвоните в центр.",
			Email: "Здравствуйте, {{.Name}}!\n\nВ центре обслуживания «{{.Center}}» к вашей учётной записи Civis привязан новый " +
				"{{if eq .Kind \"phone\"}}номер телефона{{else}}адрес почты{{end}}, этот больше не используется для входа. " +
				"Все сеансы завершены.\n\nЕсли вы не обращались в центр, сразу обратитесь в любой центр обслуживания с паспортом.",
		},
		"en": {
			Subject: "A contact was removed from your Civis account",
			SMS:     "Civis: the service center \"{{.Center}}\" bound a new {{if eq .Kind \"phone\"}}number{{else}}address{{end}} to your account; this one is no longer used. Not you? Call a center.",
			Email: "Hello {{.Name}},\n\nThe service center \"{{.Center}}\" bound a new " +
				"{{if eq .Kind \"phone\"}}phone number{{else}}email address{{end}} to your Civis account; this one is no longer used to sign in. " +
				"Every session was ended.\n\nIf you did not visit a center, go to any service center with your passport at once.",
		},
	},
	OperatorContactBound: {
		"ru": {
			Subject: "Контакт привязан к учётной записи Civis",
			SMS:     "Civis: этот номер привязан к вашей учётной записи в центре обслуживания «{{.Center}}».",
			Email:   "Здравствуйте, {{.Name}}!\n\nЭтот адрес привязан к вашей учётной записи Civis в центре обслуживания «{{.Center}}».",
		},
		"en": {
			Subject: "A contact was bound to your Civis account",
			SMS:     "Civis: this number was bound to your account at the service center \"{{.Center}}\".",
			Email:   "Hello {{.Name}},\n\nThis address was bound to your Civis account at the service center \"{{.Center}}\".",
		},
	},
}
