package guard

// EntityType names a kind of personal data, as Amazon Bedrock Guardrails
// names it.
type EntityType string

// The entity types the guard detects.
const (
	Name                EntityType = "NAME"
	Email               EntityType = "EMAIL"
	Phone               EntityType = "PHONE"
	Address             EntityType = "ADDRESS"
	Age                 EntityType = "AGE"
	Username            EntityType = "USERNAME"
	Password            EntityType = "PASSWORD"
	PIN                 EntityType = "PIN"
	DriverID            EntityType = "DRIVER_ID"
	LicensePlate        EntityType = "LICENSE_PLATE"
	VIN                 EntityType = "VEHICLE_IDENTIFICATION_NUMBER"
	CardNumber          EntityType = "CREDIT_DEBIT_CARD_NUMBER"
	CardCVV             EntityType = "CREDIT_DEBIT_CARD_CVV"
	CardExpiry          EntityType = "CREDIT_DEBIT_CARD_EXPIRY"
	IBAN                EntityType = "INTERNATIONAL_BANK_ACCOUNT_NUMBER"
	SWIFTCode           EntityType = "SWIFT_CODE"
	USBankAccount       EntityType = "US_BANK_ACCOUNT_NUMBER"
	USBankRouting       EntityType = "US_BANK_ROUTING_NUMBER"
	USSSN               EntityType = "US_SOCIAL_SECURITY_NUMBER"
	UKNationalInsurance EntityType = "UK_NATIONAL_INSURANCE_NUMBER"
	IPAddress           EntityType = "IP_ADDRESS"
	MACAddress          EntityType = "MAC_ADDRESS"
	URL                 EntityType = "URL"
	AWSAccessKey        EntityType = "AWS_ACCESS_KEY"
	AWSSecretKey        EntityType = "AWS_SECRET_KEY"
	// Credential is any other secret that grants access: an API key or
	// token, a private key, a JWT (found with gitleaks' rules).
	Credential EntityType = "CREDENTIAL"
)

// AllEntityTypes lists every entity type the guard detects, in a stable order.
func AllEntityTypes() []EntityType {
	return []EntityType{
		Name, Email, Phone, Address, Age, Username, Password, PIN, DriverID,
		LicensePlate, VIN, CardNumber, CardCVV, CardExpiry, IBAN, SWIFTCode,
		USBankAccount, USBankRouting, USSSN, UKNationalInsurance, IPAddress,
		MACAddress, URL, AWSAccessKey, AWSSecretKey, Credential,
	}
}

// Valid reports whether t is an entity type the guard knows.
func (t EntityType) Valid() bool {
	for _, k := range AllEntityTypes() {
		if k == t {
			return true
		}
	}
	return false
}

// neutral is the phrase Scrub puts in place of a value of each type.
func (t EntityType) neutral() string {
	switch t {
	case Name:
		return "a person"
	case Email:
		return "an email address"
	case Phone:
		return "a phone number"
	case Address:
		return "an address"
	case Age:
		return "an age"
	case Username:
		return "a username"
	case Password:
		return "a password"
	case PIN:
		return "a PIN"
	case DriverID:
		return "a driver's licence number"
	case LicensePlate:
		return "a licence plate"
	case VIN:
		return "a vehicle identification number"
	case CardNumber:
		return "a card number"
	case CardCVV:
		return "a card security code"
	case CardExpiry:
		return "a card expiry date"
	case IBAN, USBankAccount:
		return "a bank account number"
	case SWIFTCode, USBankRouting:
		return "a bank code"
	case USSSN, UKNationalInsurance:
		return "an identity number"
	case IPAddress:
		return "an IP address"
	case MACAddress:
		return "a device address"
	case URL:
		return "a link"
	case AWSAccessKey, AWSSecretKey, Credential:
		return "a credential"
	}
	return "personal data"
}
