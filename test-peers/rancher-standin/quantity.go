package main

// Kubernetes resource quantities ("250m", "1536Mi", "110", "1e3") parsed into
// exact rationals so that cluster totals can be summed without rounding, then
// formatted back the way apimachinery's Quantity.String() would: Rancher
// stores the sums as resource.Quantity, so a test reading the v3 API should
// see the same canonical strings ("16Gi", "1500m", "3k").

import (
	"fmt"
	"math/big"
	"sort"
	"strings"
)

type quantityFormat int

const (
	decimalSI quantityFormat = iota
	binarySI
)

// Quantity is an exact value plus the suffix family it was written in, which
// decides how sums are printed (apimachinery keeps the first operand's format).
type Quantity struct {
	Value  *big.Rat
	Format quantityFormat
}

var binarySuffixes = map[string]int{"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
var decimalSuffixes = map[string]int{"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}

// ParseQuantity accepts the Kubernetes quantity grammar: an optionally signed
// decimal number followed by a binary suffix, a decimal suffix or an exponent.
func ParseQuantity(s string) (Quantity, error) {
	str := strings.TrimSpace(s)
	if str == "" {
		return Quantity{}, fmt.Errorf("empty quantity")
	}
	// The numeric part is the longest prefix of sign, digits and one dot.
	i := 0
	if str[0] == '+' || str[0] == '-' {
		i++
	}
	digits := 0
	for i < len(str) && (str[i] >= '0' && str[i] <= '9' || str[i] == '.') {
		if str[i] != '.' {
			digits++
		}
		i++
	}
	if digits == 0 {
		return Quantity{}, fmt.Errorf("quantity %q has no number", s)
	}
	num, ok := new(big.Rat).SetString(str[:i])
	if !ok {
		return Quantity{}, fmt.Errorf("quantity %q: bad number", s)
	}
	suffix := str[i:]
	if exp, ok := binarySuffixes[suffix]; ok {
		num.Mul(num, new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), uint(exp))))
		return Quantity{Value: num, Format: binarySI}, nil
	}
	if exp, ok := decimalSuffixes[suffix]; ok {
		return Quantity{Value: num.Mul(num, pow10(exp)), Format: decimalSI}, nil
	}
	if len(suffix) > 1 && (suffix[0] == 'e' || suffix[0] == 'E') {
		var exp int
		if _, err := fmt.Sscanf(suffix[1:], "%d", &exp); err == nil && fmt.Sprint(exp) == strings.TrimPrefix(suffix[1:], "+") {
			return Quantity{Value: num.Mul(num, pow10(exp)), Format: decimalSI}, nil
		}
	}
	return Quantity{}, fmt.Errorf("quantity %q: unknown suffix %q", s, suffix)
}

func pow10(exp int) *big.Rat {
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(exp))), nil)
	if exp < 0 {
		return new(big.Rat).SetFrac(big.NewInt(1), p)
	}
	return new(big.Rat).SetInt(p)
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// String formats like apimachinery's canonical form. Values are first rounded
// up to nano units (apimachinery's smallest scale).
func (q Quantity) String() string {
	if q.Value == nil {
		return "0"
	}
	nanos := new(big.Rat).Mul(q.Value, pow10(9))
	n := ceilRat(nanos) // integer count of nano units
	if n.Sign() == 0 {
		return "0"
	}
	// BinarySI only for whole values of at least 1024; apimachinery falls
	// back to DecimalSI for anything smaller or fractional.
	if q.Format == binarySI {
		whole := new(big.Int)
		rem := new(big.Int)
		whole.QuoRem(n, big.NewInt(1_000_000_000), rem)
		if rem.Sign() == 0 && new(big.Int).Abs(whole).Cmp(big.NewInt(1024)) >= 0 {
			return formatBinary(whole)
		}
	}
	return formatDecimal(n)
}

func formatBinary(v *big.Int) string {
	names := []string{"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"}
	k := 0
	cur := new(big.Int).Set(v)
	for k < len(names)-1 {
		q, r := new(big.Int).QuoRem(cur, big.NewInt(1024), new(big.Int))
		if r.Sign() != 0 {
			break
		}
		cur = q
		k++
	}
	return cur.String() + names[k]
}

// formatDecimal prints a count of nano units with the largest decimal
// suffix (exponent a multiple of 3) that keeps the mantissa an integer.
func formatDecimal(nanos *big.Int) string {
	suffixes := []struct {
		name string
		exp  int // exponent relative to nano units
	}{{"E", 27}, {"P", 24}, {"T", 21}, {"G", 18}, {"M", 15}, {"k", 12}, {"", 9}, {"m", 6}, {"u", 3}, {"n", 0}}
	for _, s := range suffixes {
		div := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s.exp)), nil)
		q, r := new(big.Int).QuoRem(nanos, div, new(big.Int))
		if r.Sign() == 0 {
			return q.String() + s.name
		}
	}
	return nanos.String() + "n"
}

func ceilRat(r *big.Rat) *big.Int {
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return q
}

// Float returns the value in base units (cores, bytes, pods) for JSON
// consumers that want numbers rather than quantity strings.
func (q Quantity) Float() float64 {
	if q.Value == nil {
		return 0
	}
	f, _ := q.Value.Float64()
	return f
}

// ResourceTotals sums quantity maps resource by resource.
type ResourceTotals map[string]Quantity

// Add adds every parsable quantity of m; unparsable values are reported and skipped.
func (t ResourceTotals) Add(m map[string]string) []error {
	var errs []error
	for name, raw := range m {
		q, err := ParseQuantity(raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		if cur, ok := t[name]; ok {
			t[name] = Quantity{Value: new(big.Rat).Add(cur.Value, q.Value), Format: cur.Format}
		} else {
			t[name] = Quantity{Value: new(big.Rat).Set(q.Value), Format: q.Format}
		}
	}
	return errs
}

// Strings renders the totals as the v3 API's map of quantity strings.
func (t ResourceTotals) Strings() map[string]string {
	out := make(map[string]string, len(t))
	for k, v := range t {
		out[k] = v.String()
	}
	return out
}

// Numbers renders the totals as base-unit numbers (cpu in cores, memory in bytes).
func (t ResourceTotals) Numbers() map[string]float64 {
	out := make(map[string]float64, len(t))
	for k, v := range t {
		out[k] = v.Float()
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
