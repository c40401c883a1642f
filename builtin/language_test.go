package builtin

import "testing"

func TestLanguageClassify(t *testing.T) {
	t.Parallel()
	l := newLanguages()
	tests := []struct{ text, want string }{
		{"El lector de tarjetas se desconecta del iPad cada 10 minutos.", "Spanish"},
		{"Wir haben für September zwei Rechnungen bekommen.", "German"},
		{"Nous avons envoyé notre lecteur en réparation il y a 3 semaines.", "French"},
		{"La stampante non stampa più gli scontrini da ieri sera.", "Italian"},
		{"Não consigo acessar minha conta desde ontem.", "Portuguese"},
		{"Ik kan niet inloggen met mijn wachtwoord.", "Dutch"},
		{"Danke!", "German"},
		{"打印机无法连接到平板电脑。", "Chinese"},
		{"プリンターが接続できません。", "Japanese"},
		{"카드 리더기가 연결되지 않습니다.", "Korean"},
		{"Принтер не печатает чеки с утра.", "Russian"},
		{"الطابعة لا تعمل منذ الصباح", "Arabic"},
		{"My card was charged twice for the March invoice.", ""},
		{"The receipt printer at Café Downtown prints blank pages.", ""},
		{"Our Tillwise Reader R2 won't turn on this morning.", ""},
		{"GET /v2/items?limit=500 returns 500 Internal Server Error.", ""},
		{"I paid with my card at La Piazza and the receipt says Total: 12.50.", ""},
	}
	for _, tt := range tests {
		if got, _ := l.classify(tt.text); got != tt.want {
			t.Errorf("classify(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestTopicAndAction(t *testing.T) {
	t.Parallel()
	tests := []struct{ customer, product, topic string }{
		{"El lector de tarjetas se desconecta.", "hardware", "a card reader"},
		{"Wir haben zwei Rechnungen bekommen.", "billing", "an invoice"},
		{"Je ne peux plus me connecter.", "mobile-app", "a login problem"},
		{"Merci de regarder.", "mobile-app", "a mobile app issue"},
		{"Das funktioniert nicht.", "integrations-api", "an integrations API issue"},
		{"Das funktioniert nicht.", "", "an issue"},
	}
	for _, tt := range tests {
		if got := topicOf(tt.customer, tt.product); got != tt.topic {
			t.Errorf("topicOf(%q, %q) = %q, want %q", tt.customer, tt.product, got, tt.topic)
		}
	}
	if got := actionOf("Hemos enviado un lector de reemplazo."); got != "sent a replacement" {
		t.Errorf("actionOf = %q, want sent a replacement", got)
	}
	if got := actionOf("Hola, ¿puede comprobarlo?"); got != "" {
		t.Errorf("actionOf = %q, want nothing", got)
	}
}
