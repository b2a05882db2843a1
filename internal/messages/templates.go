package messages

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"
)

// Template names a kind of message.
type Template string

// Message templates.
const (
	RegistrationCode Template = "registration_code"
	ContactTaken     Template = "contact_taken"
	Welcome          Template = "welcome"
)

// Proofing templates. Data fields: .Name, .Site, .Raised (the level became standard).
const (
	ProfileVerified    Template = "profile_verified"
	ProfileCheckFailed Template = "profile_check_failed"
	SNILSTaken         Template = "snils_taken"
)

// Account-care templates (recovery, settings, deletion). Data fields: .Code, .Minutes, .Name,
// .Site, .Centers (the service-center page), .Kind ("phone" or "email"), .Until (a date).
const (
	RecoveryCode      Template = "recovery_code"
	RecoveryPhoneOnly Template = "recovery_phone_only"
	PasswordRecovered Template = "password_recovered"
	PasswordChanged   Template = "password_changed"
	ContactCode       Template = "contact_code"
	ContactChanged    Template = "contact_changed"
	ContactClaimed    Template = "contact_claimed"
	AccountDeleted    Template = "account_deleted"
	AccountRestored   Template = "account_restored"
)

type text struct{ Subject, SMS, Email string }

// catalog holds every template per language. Data fields: .Code, .Link, .Name, .Site, .Minutes.
var catalog = map[Template]map[string]text{
	RegistrationCode: {
		"ru": {
			Subject: "Код подтверждения Civis",
			SMS:     "Civis: код подтверждения {{.Code}}. Действует {{.Minutes}} мин. Никому не сообщайте его.",
			Email: "Здравствуйте!\n\nВаш код подтверждения для регистрации в Civis: {{.Code}}\n" +
				"Он действует {{.Minutes}} минут.{{if .Link}}\n\nИли подтвердите адрес одним нажатием: {{.Link}}{{end}}\n\n" +
				"Если вы не регистрировались, просто проигнорируйте это письмо.",
		},
		"en": {
			Subject: "Your Civis confirmation code",
			SMS:     "Civis: your confirmation code is {{.Code}}. Valid {{.Minutes}} min. Do not share it.",
			Email: "Hello,\n\nYour Civis registration code is {{.Code}}\n" +
				"It is valid for {{.Minutes}} minutes.{{if .Link}}\n\nOr confirm your address in one click: {{.Link}}{{end}}\n\n" +
				"If you did not register, ignore this message.",
		},
	},
	ContactTaken: {
		"ru": {
			Subject: "Попытка регистрации с вашим контактом",
			SMS:     "Civis: кто-то пытался зарегистрироваться с вашим номером. У вас уже есть учётная запись. Забыли пароль? {{.Site}}",
			Email: "Здравствуйте!\n\nКто-то пытался зарегистрировать новую учётную запись Civis с этим адресом. " +
				"Адрес уже привязан к вашей учётной записи, поэтому код не отправлен.\n\n" +
				"Если это были вы и вы забыли пароль, восстановите доступ: {{.Site}}\n" +
				"Если нет — ничего делать не нужно.",
		},
		"en": {
			Subject: "Someone tried to register with your contact",
			SMS:     "Civis: someone tried to register with your number. You already have an account. Forgot your password? {{.Site}}",
			Email: "Hello,\n\nSomeone tried to register a new Civis account with this address. " +
				"It already belongs to your account, so no code was sent.\n\n" +
				"If it was you and you forgot your password, recover access: {{.Site}}\n" +
				"If not, you need to do nothing.",
		},
	},
	Welcome: {
		"ru": {
			Subject: "Учётная запись Civis создана",
			SMS:     "Civis: учётная запись создана. Уровень: упрощённая.",
			Email:   "Здравствуйте, {{.Name}}!\n\nВаша учётная запись Civis создана (упрощённая). Войдите: {{.Site}}",
		},
		"en": {
			Subject: "Your Civis account is ready",
			SMS:     "Civis: your account is ready. Level: simplified.",
			Email:   "Hello {{.Name}},\n\nYour Civis account is ready (simplified). Sign in: {{.Site}}",
		},
	},
	ProfileVerified: {
		"ru": {
			Subject: "Данные проверены",
			SMS:     "Civis: данные проверены.{{if .Raised}} Учётная запись стала стандартной.{{end}}",
			Email: "Здравствуйте, {{.Name}}!\n\nГосударственные реестры подтвердили ваши данные." +
				"{{if .Raised}} Ваша учётная запись теперь стандартная.{{else}} Новые данные вступили в силу.{{end}}\n\n" +
				"Профиль: {{.Site}}",
		},
		"en": {
			Subject: "Your data are verified",
			SMS:     "Civis: your data are verified.{{if .Raised}} Your account is now standard.{{end}}",
			Email: "Hello {{.Name}},\n\nThe state registries confirmed your data." +
				"{{if .Raised}} Your account is now standard.{{else}} The new data are now in force.{{end}}\n\n" +
				"Profile: {{.Site}}",
		},
	},
	ProfileCheckFailed: {
		"ru": {
			Subject: "Данные не прошли проверку",
			SMS:     "Civis: данные не прошли проверку в реестрах. Причина указана в профиле: {{.Site}}",
			Email: "Здравствуйте, {{.Name}}!\n\nПроверка ваших данных в государственных реестрах не пройдена. " +
				"В профиле указано, какая проверка не прошла и почему; исправьте данные и отправьте их снова: {{.Site}}\n\n" +
				"Прежние подтверждённые данные остаются в силе.",
		},
		"en": {
			Subject: "Your data did not pass the check",
			SMS:     "Civis: your data did not pass the registry check. See why in your profile: {{.Site}}",
			Email: "Hello {{.Name}},\n\nThe state registries did not confirm your data. Your profile shows " +
				"which check failed and why; correct the data and submit them again: {{.Site}}\n\n" +
				"Your previously verified data remain in force.",
		},
	},
	SNILSTaken: {
		"ru": {
			Subject: "Попытка использовать ваш СНИЛС",
			SMS:     "Civis: ваш СНИЛС пытались указать в другой учётной записи. Если это были вы, восстановите доступ: {{.Site}}",
			Email: "Здравствуйте, {{.Name}}!\n\nКто-то указал СНИЛС, подтверждённый в вашей учётной записи Civis, " +
				"в другой учётной записи. Проверка не запускалась; данные вашей учётной записи никому не показаны.\n\n" +
				"Если это были вы и вы потеряли доступ, восстановите его: {{.Site}} — или обратитесь в центр обслуживания с паспортом.\n" +
				"Если нет — ничего делать не нужно.",
		},
		"en": {
			Subject: "Someone tried to use your SNILS",
			SMS:     "Civis: someone entered your SNILS in another account. If it was you, recover access: {{.Site}}",
			Email: "Hello {{.Name}},\n\nSomeone entered the SNILS verified on your Civis account in another account. " +
				"No check was started, and nothing about your account was shown.\n\n" +
				"If it was you and you lost access, recover it: {{.Site}} — or visit a service center with your passport.\n" +
				"If not, you need to do nothing.",
		},
	},
	RecoveryCode: {
		"ru": {
			Subject: "Код восстановления доступа к Civis",
			SMS:     "Civis: код восстановления доступа {{.Code}}. Действует {{.Minutes}} мин. Никому не сообщайте его, даже сотрудникам.",
			Email: "Здравствуйте!\n\nКод для восстановления доступа к учётной записи Civis: {{.Code}}\n" +
				"Он действует {{.Minutes}} минут. Никому не сообщайте его.\n\n" +
				"Если вы не восстанавливали доступ, ничего не делайте: пароль не изменится без этого кода.",
		},
		"en": {
			Subject: "Your Civis access recovery code",
			SMS:     "Civis: your access recovery code is {{.Code}}. Valid {{.Minutes}} min. Never share it, not even with staff.",
			Email: "Hello,\n\nYour code to recover access to your Civis account is {{.Code}}\n" +
				"It is valid for {{.Minutes}} minutes. Never share it.\n\n" +
				"If you did not ask for it, do nothing: the password cannot change without this code.",
		},
	},
	RecoveryPhoneOnly: {
		"ru": {
			Subject: "Восстановление доступа к Civis",
			SMS:     "Civis: начато восстановление доступа. Код отправлен на ваш телефон.",
			Email: "Здравствуйте, {{.Name}}!\n\nКто-то начал восстанавливать доступ к вашей подтверждённой учётной записи Civis. " +
				"Код отправлен только на ваш мобильный телефон.\n\n" +
				"Если вы потеряли телефон, восстановите доступ в центре обслуживания с паспортом: {{.Centers}}\n" +
				"Если это были не вы — ничего делать не нужно.",
		},
		"en": {
			Subject: "Recovering access to Civis",
			SMS:     "Civis: access recovery started. The code went to your phone.",
			Email: "Hello {{.Name}},\n\nSomeone started recovering access to your confirmed Civis account. " +
				"The code was sent to your mobile phone only.\n\n" +
				"If you lost your phone, recover access at a service center with your passport: {{.Centers}}\n" +
				"If it was not you, you need to do nothing.",
		},
	},
	PasswordRecovered: {
		"ru": {
			Subject: "Пароль Civis изменён",
			SMS:     "Civis: пароль изменён через восстановление доступа, все сеансы завершены. Если это были не вы, обратитесь в центр обслуживания: {{.Centers}}",
			Email: "Здравствуйте, {{.Name}}!\n\nПароль вашей учётной записи Civis изменён через восстановление доступа. " +
				"Все сеансы и входы на сайты завершены.\n\n" +
				"Если это были не вы, сразу обратитесь в центр обслуживания с паспортом: {{.Centers}}",
		},
		"en": {
			Subject: "Your Civis password was changed",
			SMS:     "Civis: your password was changed through access recovery; every session ended. If it was not you, visit a service center: {{.Centers}}",
			Email: "Hello {{.Name}},\n\nThe password of your Civis account was changed through access recovery. " +
				"Every session and every sign-in to sites has ended.\n\n" +
				"If it was not you, visit a service center with your passport at once: {{.Centers}}",
		},
	},
	PasswordChanged: {
		"ru": {
			Subject: "Пароль Civis изменён",
			SMS:     "Civis: пароль изменён, другие сеансы завершены. Если это были не вы, восстановите доступ: {{.Site}}/recover",
			Email: "Здравствуйте, {{.Name}}!\n\nПароль вашей учётной записи Civis изменён; сеансы на других устройствах завершены.\n\n" +
				"Если это были не вы, сразу восстановите доступ: {{.Site}}/recover",
		},
		"en": {
			Subject: "Your Civis password was changed",
			SMS:     "Civis: your password was changed and other sessions ended. If it was not you, recover access: {{.Site}}/recover",
			Email: "Hello {{.Name}},\n\nThe password of your Civis account was changed; sessions on other devices have ended.\n\n" +
				"If it was not you, recover access at once: {{.Site}}/recover",
		},
	},
	ContactCode: {
		"ru": {
			Subject: "Код подтверждения Civis",
			SMS:     "Civis: код для привязки номера {{.Code}}. Действует {{.Minutes}} мин. Никому не сообщайте его.",
			Email: "Здравствуйте!\n\nКод для привязки этого адреса к учётной записи Civis: {{.Code}}\n" +
				"Он действует {{.Minutes}} минут.\n\nЕсли вы ничего не меняли, просто проигнорируйте это письмо.",
		},
		"en": {
			Subject: "Your Civis confirmation code",
			SMS:     "Civis: your code to add this number is {{.Code}}. Valid {{.Minutes}} min. Do not share it.",
			Email: "Hello,\n\nYour code to add this address to a Civis account is {{.Code}}\n" +
				"It is valid for {{.Minutes}} minutes.\n\nIf you changed nothing, ignore this message.",
		},
	},
	ContactChanged: {
		"ru": {
			Subject: "Контакты Civis изменены",
			SMS:     "Civis: {{if eq .Kind \"phone\"}}номер телефона{{else}}адрес почты{{end}} учётной записи изменён. Если это были не вы, восстановите доступ: {{.Site}}/recover",
			Email: "Здравствуйте, {{.Name}}!\n\nВ вашей учётной записи Civis изменён {{if eq .Kind \"phone\"}}номер телефона{{else}}адрес электронной почты{{end}}.\n\n" +
				"Если это были не вы, сразу восстановите доступ: {{.Site}}/recover — или обратитесь в центр обслуживания.",
		},
		"en": {
			Subject: "Your Civis contacts changed",
			SMS:     "Civis: the {{if eq .Kind \"phone\"}}phone number{{else}}email address{{end}} of your account was changed. If it was not you, recover access: {{.Site}}/recover",
			Email: "Hello {{.Name}},\n\nThe {{if eq .Kind \"phone\"}}phone number{{else}}email address{{end}} of your Civis account was changed.\n\n" +
				"If it was not you, recover access at once: {{.Site}}/recover — or visit a service center.",
		},
	},
	ContactClaimed: {
		"ru": {
			Subject: "Попытка привязать ваш контакт",
			SMS:     "Civis: кто-то пытался привязать ваш номер к другой учётной записи. Он остался за вами. Забыли пароль? {{.Site}}",
			Email: "Здравствуйте!\n\nКто-то пытался привязать этот адрес к другой учётной записи Civis. " +
				"Адрес остался за вашей учётной записью, код не отправлялся.\n\n" +
				"Если это были вы и вы не помните пароль, восстановите доступ: {{.Site}}\nЕсли нет — ничего делать не нужно.",
		},
		"en": {
			Subject: "Someone tried to add your contact",
			SMS:     "Civis: someone tried to add your number to another account. It stays yours. Forgot your password? {{.Site}}",
			Email: "Hello,\n\nSomeone tried to add this address to another Civis account. " +
				"It stays with your account, and no code was sent.\n\n" +
				"If it was you and you forgot your password, recover access: {{.Site}}\nIf not, you need to do nothing.",
		},
	},
	AccountDeleted: {
		"ru": {
			Subject: "Учётная запись Civis удалена",
			SMS:     "Civis: учётная запись удалена. До {{.Until}} её можно восстановить в центре обслуживания: {{.Centers}}",
			Email: "Здравствуйте, {{.Name}}!\n\nВаша учётная запись Civis удалена: вход и все сеансы прекращены, сайты получили уведомление о выходе.\n\n" +
				"До {{.Until}} её можно восстановить в центре обслуживания с паспортом: {{.Centers}}\n" +
				"После этого ваши персональные данные будут стёрты; в журнале безопасности останется обезличенная запись.",
		},
		"en": {
			Subject: "Your Civis account was deleted",
			SMS:     "Civis: your account was deleted. Until {{.Until}} a service center can restore it: {{.Centers}}",
			Email: "Hello {{.Name}},\n\nYour Civis account was deleted: sign-in and every session have stopped, and the sites were told.\n\n" +
				"Until {{.Until}} a service center can restore it if you bring your passport: {{.Centers}}\n" +
				"After that your personal data will be erased; the security log keeps a record without them.",
		},
	},
	AccountRestored: {
		"ru": {
			Subject: "Учётная запись Civis восстановлена",
			SMS:     "Civis: учётная запись восстановлена. Войдите: {{.Site}}/login",
			Email:   "Здравствуйте, {{.Name}}!\n\nВаша учётная запись Civis восстановлена. Войдите: {{.Site}}/login",
		},
		"en": {
			Subject: "Your Civis account was restored",
			SMS:     "Civis: your account was restored. Sign in: {{.Site}}/login",
			Email:   "Hello {{.Name}},\n\nYour Civis account was restored. Sign in: {{.Site}}/login",
		},
	},
}

// Lang picks the catalog language for a locale ("en", "en-US" -> en; anything else -> ru).
func Lang(locale string) string {
	if strings.HasPrefix(strings.ToLower(locale), "en") {
		return "en"
	}
	return "ru"
}

// Compose renders tpl for the channel ("sms" or "email") in the locale's language.
func Compose(tpl Template, channel, locale string, data map[string]any) (subject, body string, err error) {
	texts, ok := catalog[tpl]
	if !ok {
		texts, ok = securityCatalog[tpl]
	}
	if !ok {
		texts, ok = lettersCatalog[tpl]
	}
	if !ok {
		texts, ok = operatorCatalog[tpl]
	}
	if !ok {
		texts, ok = partnerCatalog[tpl]
	}
	if !ok {
		return "", "", fmt.Errorf("unknown message template %q", tpl)
	}
	t := texts[Lang(locale)]
	src := t.Email
	if channel == "sms" {
		src = t.SMS
	}
	body, err = render(src, data)
	if err != nil {
		return "", "", fmt.Errorf("render %s: %w", tpl, err)
	}
	return t.Subject, body, nil
}

func render(src string, data map[string]any) (string, error) {
	t, err := template.New("").Option("missingkey=zero").Parse(src)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}
