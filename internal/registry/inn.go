package registry

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/civis-id/civis/internal/ident"
)

// normalizePersonINN validates an individual's INN (12 digits with check
// digits, see [ident.NormalizeINN]); blank gives "".
func normalizePersonINN(inn string) (string, error) {
	n, err := optional(inn, ident.NormalizeINN)
	if err != nil {
		return "", err
	}
	if n != "" && len(n) != 12 {
		return "", errors.New("an individual's INN has 12 digits")
	}
	return n, nil
}

var (
	innWeights11 = []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	innWeights12 = []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
)

// madeUpINN returns a 12-digit individual INN whose first ten digits are
// the first ten of digits (at least ten ASCII digits) and whose two check
// digits follow DOMAIN.md, section 3. A body starting "00" (no tax office
// has that code) starts "99" instead.
func madeUpINN(digits string) string {
	b := []byte(digits[:10])
	if b[0] == '0' && b[1] == '0' {
		b[0], b[1] = '9', '9'
	}
	b = append(b, innCheck(b, innWeights11))
	return string(append(b, innCheck(b, innWeights12)))
}

// innCheck computes the check digit (Σ weights·digits mod 11) mod 10.
func innCheck(d []byte, weights []int) byte {
	sum := 0
	for i, w := range weights {
		sum += w * int(d[i]-'0')
	}
	return byte('0' + sum%11%10)
}

// personDigits derives ten digits from a person's folded names and birth
// date, so that the same person always gets the same made-up INN.
func personDigits(p Person) string {
	h := sha256.Sum256([]byte(identityKey(p)))
	return fmt.Sprintf("%010d", binary.BigEndian.Uint64(h[:8])%10_000_000_000)
}
