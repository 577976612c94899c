package core

import "testing"

func TestConcurrencySetting(t *testing.T) {
	tests := []struct {
		value  string
		n      int
		preset string // CheckPresetValue's code
	}{
		{"", 0, ""}, {"8", 8, ""}, {" 16 ", 16, ""}, {"64", 64, ""},
		{"0", 0, "preset.value"}, {"65", 0, "preset.value"}, {"-1", 0, "preset.value"}, {"huit", 0, "preset.value"}, {"1e3", 0, "preset.value"},
	}
	for _, tt := range tests {
		if got := (Settings{Concurrency: tt.value}).ConcurrencyN(); got != tt.n {
			t.Errorf("ConcurrencyN(%q) = %d, want %d", tt.value, got, tt.n)
		}
		if tt.value == "" {
			continue
		}
		if _, code := CheckPresetValue(SettingConcurrency, tt.value); code != tt.preset {
			t.Errorf("preset %q: %q, want %q", tt.value, code, tt.preset)
		}
	}
}
