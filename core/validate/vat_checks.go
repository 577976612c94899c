package validate

// Check digits of EU VAT numbers, after python-stdnum's descriptions of
// each national scheme. A failure only warns (vat_eu.checksum): Chorus Pro
// checks the structure of a foreign number, not its reality, and national
// schemes change faster than this table.

func digits(s string) []int {
	d := make([]int, len(s))
	for i := range s {
		d[i] = int(s[i] - '0')
	}
	return d
}

func weighted(d []int, w ...int) int {
	sum := 0
	for i, x := range w {
		sum += d[i] * x
	}
	return sum
}

// mod1110 is ISO 7064 MOD 11,10 over all digits, check digit last.
func mod1110(s string) bool {
	check := 5
	for _, x := range digits(s) {
		if check == 0 {
			check = 10
		}
		check = (check*2%11 + x) % 10
	}
	return check == 1
}

// mod97 returns the decimal string s modulo 97.
func mod97(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = (n*10 + int(s[i]-'0')) % 97
	}
	return n
}

// vatChecksums maps a prefix to its check over the national number (format
// already verified). Countries absent here are checked for format only.
var vatChecksums = map[string]func(string) bool{
	"BE": func(s string) bool { return 97-mod97(s[:8]) == int(s[8]-'0')*10+int(s[9]-'0') },
	"DE": mod1110,
	"HR": mod1110,
	"DK": func(s string) bool { return weighted(digits(s), 2, 7, 6, 5, 4, 3, 2, 1)%11 == 0 },
	"FI": func(s string) bool {
		c := (11 - weighted(digits(s), 7, 9, 10, 5, 8, 4, 2)%11) % 11
		return c != 10 && c == int(s[7]-'0')
	},
	"IT": func(s string) bool { return luhn(s) },
	"SE": func(s string) bool { return luhn(s[:10]) },
	"LU": func(s string) bool {
		n := 0
		for i := 0; i < 6; i++ {
			n = n*10 + int(s[i]-'0')
		}
		return n%89 == int(s[6]-'0')*10+int(s[7]-'0')
	},
	"PL": func(s string) bool {
		c := weighted(digits(s), 6, 5, 7, 2, 3, 4, 5, 6, 7) % 11
		return c != 10 && c == int(s[9]-'0')
	},
	"PT": func(s string) bool {
		c := 11 - weighted(digits(s), 9, 8, 7, 6, 5, 4, 3, 2)%11
		if c > 9 {
			c = 0
		}
		return c == int(s[8]-'0')
	},
	"EL": func(s string) bool {
		d := digits(s)
		sum := 0
		for i := 0; i < 8; i++ {
			sum += d[i] << (8 - i)
		}
		return sum%11%10 == d[8]
	},
	"EE": func(s string) bool {
		return (10-weighted(digits(s), 3, 7, 1, 3, 7, 1, 3, 7)%10)%10 == int(s[8]-'0')
	},
	"HU": func(s string) bool {
		return (10-weighted(digits(s), 9, 7, 3, 1, 9, 7, 3)%10)%10 == int(s[7]-'0')
	},
	"NL": func(s string) bool {
		// Old numbers: the BSN's 11-test; since 2020, MOD 97 over "NL" + number.
		d := digits(s[:9])
		if weighted(d, 9, 8, 7, 6, 5, 4, 3, 2)%11%10 == d[8] && weighted(d, 9, 8, 7, 6, 5, 4, 3, 2)%11 != 10 {
			return true
		}
		conv := "2321" // N=23, L=21
		for i := 0; i < len(s); i++ {
			if s[i] == 'B' {
				conv += "11"
			} else {
				conv += s[i : i+1]
			}
		}
		return mod97(conv) == 1
	},
}
