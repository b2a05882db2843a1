package center

// The HTTP layers answer center errors with the problems these methods name (httpx.Coded).

// ProblemCode is the problem code of the HTTP answer: validation_failed.
func (e *ValidationError) ProblemCode() string { return "validation_failed" }

// ProblemFields lists the field errors for the HTTP answer.
func (e *ValidationError) ProblemFields(add func(field, code, message string)) {
	for _, f := range e.Fields {
		add(f.Field, f.Code, f.Message)
	}
}

// ProblemCode is the problem code of the HTTP answer: validation_failed.
func (e *ImportError) ProblemCode() string { return "validation_failed" }

// ProblemDetail explains the rows of the field errors.
func (e *ImportError) ProblemDetail() string {
	return "the import was refused and nothing changed; rows are the file's lines, the header is row 1"
}

// ProblemFields lists the field errors, named rows[N].column (RowError.Path).
func (e *ImportError) ProblemFields(add func(field, code, message string)) {
	for _, r := range e.Rows {
		add(r.Path(), r.Code, r.Message)
	}
}
