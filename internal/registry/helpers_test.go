package registry

import (
	"errors"
	"testing"
	"time"
)

// date returns a date at UTC midnight.
func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Persons of the embedded sample, as docs/registries.md lists them.
var (
	ivanov   = Person{LastName: "Иванов", FirstName: "Иван", MiddleName: "Иванович", BirthDate: date(1985, 3, 14), Gender: "M"}
	petrova  = Person{LastName: "Петрова", FirstName: "Анна", MiddleName: "Сергеевна", BirthDate: date(1990, 7, 21), Gender: "F"}
	fedorova = Person{LastName: "Фёдорова", FirstName: "Алёна", MiddleName: "Петровна", BirthDate: date(1979, 11, 2), Gender: "F"}
	sidorov  = Person{LastName: "Сидоров", FirstName: "Пётр", BirthDate: date(2001, 1, 30), Gender: "M"}
	smith    = Person{LastName: "Smith", FirstName: "John", BirthDate: date(1975, 5, 5), Gender: "M"}
	stranger = Person{LastName: "Незнакомов", FirstName: "Глеб", MiddleName: "Олегович", BirthDate: date(1999, 9, 9)}
)

// ivanovPassport is Иванов's passport in the sample.
var ivanovPassport = Document{Type: TypeRFPassport, Series: "4509", Number: "123456", IssueDate: date(2005, 4, 2), DivisionCode: "770-001"}

// with returns p changed by fn.
func with(p Person, fn func(*Person)) Person {
	fn(&p)
	return p
}

// newSim returns a simulator over the embedded sample, changed by cfg.
func newSim(t *testing.T, cfg SimulatorConfig) *Simulator {
	t.Helper()
	s, err := NewSimulator(cfg)
	if err != nil {
		t.Fatalf("NewSimulator: %v", err)
	}
	return s
}

// errKind names the class of err for table tests.
func errKind(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrUnavailable):
		return "unavailable"
	case errors.Is(err, ErrRejected):
		return "rejected"
	}
	return "other: " + err.Error()
}
