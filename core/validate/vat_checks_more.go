package validate

import (
	"strconv"
	"strings"
	"time"
)

// The check digit rules of the remaining member states and of Northern
// Ireland, after python-stdnum's modules (stdnum/<cc>/...; each function
// names its module). Where a rule covers personal numbers, the birth date
// they embed must exist too. Formats are checked before (euVAT), so every
// function may index the digits it expects.

func init() {
	for cc, check := range map[string]func(string) bool{
		"AT": checkAT, "BG": checkBG, "CY": checkCY, "CZ": checkCZ, "ES": checkES, "IE": checkIE,
		"LT": checkLT, "LV": checkLV, "MT": checkMT, "RO": checkRO, "SI": checkSI, "SK": checkSK, "XI": checkXI,
	} {
		vatChecksums[cc] = check
	}
}

// digit returns the value of the ASCII digit at s[i].
func digit(s string, i int) int { return int(s[i] - '0') }

// checkAT: stdnum.at.uid, U + 8 digits, Luhn with an offset of 6 over the
// first 7 digits.
func checkAT(s string) bool {
	return (6-luhnSum(s[1:8])%10+10)%10 == digit(s, 8)
}

// checkBG: stdnum.bg.vat. 9 digits: a legal entity, weights 1..8 (3..10 on
// a remainder of 10). 10 digits: a person's EGN, a foreigner's PNF, or
// another number (weights 4,3,2,7,6,5,4,3,2).
func checkBG(s string) bool {
	d := digits(s)
	if len(s) == 9 {
		c := weighted(d, 1, 2, 3, 4, 5, 6, 7, 8) % 11
		if c == 10 {
			c = weighted(d, 3, 4, 5, 6, 7, 8, 9, 10) % 11
		}
		return c%10 == d[8]
	}
	egn := weighted(d, 2, 4, 8, 5, 10, 9, 7, 3, 6)%11%10 == d[9] && bgBirthDate(s)
	pnf := weighted(d, 21, 19, 17, 13, 11, 9, 7, 3, 1)%10 == d[9]
	other := (11-weighted(d, 4, 3, 2, 7, 6, 5, 4, 3, 2)%11)%11 == d[9]
	return egn || pnf || other
}

// bgBirthDate: an EGN's date, months +20 for the 1800s, +40 for the 2000s.
func bgBirthDate(s string) bool {
	year, month, day := 1900+atoi(s[0:2]), atoi(s[2:4]), atoi(s[4:6])
	switch {
	case month > 40:
		year, month = year+100, month-40
	case month > 20:
		year, month = year-100, month-20
	}
	return validDate(year, month, day)
}

// checkCY: stdnum.cy.vat, a letter over the 8 digits, the even positions
// translated.
func checkCY(s string) bool {
	tr := [10]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21}
	sum := 0
	for i := 0; i < 8; i++ {
		if i%2 == 0 {
			sum += tr[digit(s, i)]
		} else {
			sum += digit(s, i)
		}
	}
	return s[8] == byte('A'+sum%26)
}

// checkCZ: stdnum.cz.dic. 8 digits: a legal entity (weights 8..2); 9 digits
// starting with 6: a special case; otherwise a person's birth number
// (stdnum.cz.rc): a real date, and for 10 digits the number % 11.
func checkCZ(s string) bool {
	d := digits(s)
	switch {
	case len(s) == 8:
		c := (11 - weighted(d, 8, 7, 6, 5, 4, 3, 2)%11) % 11
		if c == 0 {
			c = 1
		}
		return c%10 == d[7]
	case len(s) == 9 && s[0] == '6':
		c := weighted(d[1:], 8, 7, 6, 5, 4, 3, 2) % 11
		return ((8-(10-c)%11)%10+10)%10 == d[8]
	}
	return czBirthNumber(s)
}

// czBirthNumber is stdnum.cz.rc (the Slovak birth number is the same).
func czBirthNumber(s string) bool {
	if len(s) != 9 && len(s) != 10 {
		return false
	}
	year, month, day := 1900+atoi(s[0:2]), atoi(s[2:4])%50%20, atoi(s[4:6])
	if len(s) == 9 {
		if year >= 1980 {
			year -= 100
		}
		if year > 1953 {
			return false
		}
	} else if year < 1954 {
		year += 100
	}
	if !validDate(year, month, day) {
		return false
	}
	if len(s) == 10 {
		n, _ := strconv.ParseInt(s[:9], 10, 64)
		return int(n%11%10) == digit(s, 9)
	}
	return true
}

// dniLetters are the check letters of Spanish DNI and NIE numbers.
const dniLetters = "TRWAGMYFPDXBNJZSQVHLCKE"

// checkES: stdnum.es.nif. K, L, M and residents: the DNI letter over the
// digits; X, Y, Z: the NIE (the letter read as 0, 1, 2); companies (CIF):
// a Luhn digit, or the letter of that digit.
func checkES(s string) bool {
	first, body, last := s[0], s[1:8], s[8]
	switch {
	case first >= '0' && first <= '9':
		n := atoi(s[:8])
		return last == dniLetters[n%23]
	case strings.IndexByte("KLM", first) >= 0:
		return last == dniLetters[atoi(body)%23]
	case strings.IndexByte("XYZ", first) >= 0:
		n := atoi(string('0'+first-'X') + body)
		return last == dniLetters[n%23]
	case strings.IndexByte("ABCDEFGHJNPQRSUVW", first) >= 0:
		c := (10 - luhnSum(body+"0")%10) % 10
		return last == byte('0'+c) || last == "JABCDEFGHI"[c]
	}
	return false
}

// ieAlphabet is the check alphabet of Irish numbers.
const ieAlphabet = "WABCDEFGHIJKLMNOPQRSTUV"

// checkIE: stdnum.ie.vat. New numbers: 7 digits, the check letter, and an
// optional second letter that counts 9 times its rank; old ones: a digit,
// a letter or + or *, 5 digits and the check letter.
func checkIE(s string) bool {
	calc := func(seven string, extra byte) byte {
		sum := 0
		for i := 0; i < 7; i++ {
			sum += (8 - i) * digit(seven, i)
		}
		if extra != 0 {
			sum += 9 * strings.IndexByte(ieAlphabet, extra)
		}
		return ieAlphabet[sum%23]
	}
	if isDigits(s[:7]) {
		var extra byte
		if len(s) == 9 {
			extra = s[8]
		}
		return s[7] == calc(s[:7], extra)
	}
	return s[7] == calc("0"+s[2:7]+s[:1], 0)
}

// checkLT: stdnum.lt.pvm, weights 1..9 repeating, shifted by 2 on a
// remainder of 10.
func checkLT(s string) bool {
	d := digits(s)
	n := len(s) - 1
	sum := 0
	for i := 0; i < n; i++ {
		sum += (1 + i%9) * d[i]
	}
	c := sum % 11
	if c == 10 {
		sum = 0
		for i := 0; i < n; i++ {
			sum += (1 + (i+2)%9) * d[i]
		}
		c = sum
	}
	return c%11%10 == d[n]
}

// checkLV: stdnum.lv.pvn. A first digit above 3: a legal entity, weighted
// sum % 11 = 3. Otherwise a personal code: a real birth date (except the
// 32... codes of 2017 on), and its check digit.
func checkLV(s string) bool {
	d := digits(s)
	if s[0] > '3' {
		return weighted(d, 9, 1, 4, 8, 3, 10, 2, 5, 7, 6, 1)%11 == 3
	}
	if !strings.HasPrefix(s, "32") {
		year := 1800 + 100*d[6] + atoi(s[4:6])
		if !validDate(year, atoi(s[2:4]), atoi(s[0:2])) {
			return false
		}
	}
	return (1+weighted(d, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9))%11%10 == d[10]
}

// checkMT: stdnum.mt.vat, weighted sum % 37 = 0, no leading zero.
func checkMT(s string) bool {
	return s[0] != '0' && weighted(digits(s), 3, 4, 6, 7, 8, 9, 10, 1)%37 == 0
}

// checkRO: stdnum.ro.cf. 2 to 10 digits: a CUI (weights 7,5,3,2,1,7,5,3,2
// over the digits padded to 9); 13 digits: a person's CNP (a real birth
// date, a known county, weights 2,7,9,1,4,6,3,5,8,2,7,9).
func checkRO(s string) bool {
	if len(s) == 13 {
		return checkCNP(s)
	}
	if s[0] == '0' {
		return false
	}
	body := strings.Repeat("0", 9-(len(s)-1)) + s[:len(s)-1]
	return 10*weighted(digits(body), 7, 5, 3, 2, 1, 7, 5, 3, 2)%11%10 == digit(s, len(s)-1)
}

func checkCNP(s string) bool {
	centuries := map[byte]int{'1': 1900, '2': 1900, '3': 1800, '4': 1800, '5': 2000, '6': 2000}
	if s[0] == '0' {
		return false
	}
	century, ok := centuries[s[0]]
	if !ok {
		century = 1900
	}
	if !validDate(century+atoi(s[1:3]), atoi(s[3:5]), atoi(s[5:7])) {
		return false
	}
	county := atoi(s[7:9])
	if !(county >= 1 && county <= 48 || county == 51 || county == 52 || county == 70 || county >= 80 && county <= 83) {
		return false
	}
	c := weighted(digits(s), 2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9) % 11
	if c == 10 {
		c = 1
	}
	return c == digit(s, 12)
}

// checkSI: stdnum.si.ddv, weights 8..2, no leading zero; a result of 11
// has no digit.
func checkSI(s string) bool {
	c := 11 - weighted(digits(s), 8, 7, 6, 5, 4, 3, 2)%11
	if c == 10 {
		c = 0
	}
	return s[0] != '0' && c == digit(s, 7)
}

// checkSK: stdnum.sk.dph, the number % 11 = 0, or a birth number.
func checkSK(s string) bool {
	if czBirthNumber(s) {
		return true
	}
	n, _ := strconv.ParseInt(s, 10, 64)
	return n%11 == 0
}

// checkXI: stdnum.gb.vat. Government departments (GD) and health
// authorities (HA) have no check digits; 9- and 12-digit numbers: weights
// 8..2, 10, 1 % 97 is 0, or 42 or 55 for the numbers issued since 2010
// (first three digits 100 and over).
func checkXI(s string) bool {
	if strings.HasPrefix(s, "GD") || strings.HasPrefix(s, "HA") {
		return true
	}
	c := weighted(digits(s[:9]), 8, 7, 6, 5, 4, 3, 2, 10, 1) % 97
	if atoi(s[:3]) >= 100 {
		return c == 0 || c == 42 || c == 55
	}
	return c == 0
}

// atoi reads a run of ASCII digits (formats are checked before).
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// validDate reports whether the day exists.
func validDate(year, month, day int) bool {
	if month < 1 || month > 12 || day < 1 {
		return false
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	return t.Day() == day && int(t.Month()) == month
}
