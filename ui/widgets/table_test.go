package widgets

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

type row struct {
	id   int64
	name string
}

// TestTable drives the table as a user does, keys and taps, and checks
// what it tells its screen: the row opened, the rows checked, the sort
// asked for.
func TestTable(t *testing.T) {
	test.NewTempApp(t)
	rows := make([]row, 20)
	for i := range rows {
		rows[i] = row{int64(100 + i), fmt.Sprintf("Client %02d", i)}
	}
	var opened []int
	var sorts []string
	checks := 0
	tbl := NewTable([]Column[row]{
		{Title: "Name", Width: 160, Sort: "name", Text: func(r row) string { return r.name }},
		{Title: "State", Width: 120, Chip: func(r row) (string, Tone) { return "Queued", ToneInfo }},
	}, func() []row { return rows }, func(r row) int64 { return r.id }, true)
	tbl.OnOpen = func(i int) { opened = append(opened, i) }
	tbl.OnSort = func(k string) { sorts = append(sorts, k) }
	tbl.OnCheck = func() { checks++ }
	w := test.NewWindow(tbl)
	defer w.Close()
	w.Resize(fyne.NewSize(400, 400))

	tbl.FocusRow(2)
	tbl.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	if tbl.Current != 2 || !tbl.Checked[102] || checks != 1 {
		t.Fatalf("Space on row 2: current %d, checked %v, %d checks heard", tbl.Current, tbl.Checked, checks)
	}
	tbl.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	if tbl.Checked[102] || checks != 2 {
		t.Fatalf("Space again: %v", tbl.Checked)
	}
	tbl.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(opened) != 1 || opened[0] != 2 {
		t.Fatalf("Enter opened %v", opened)
	}

	var cell fyne.DoubleTappable
	var header *Button
	walk(w.Canvas().Content(), nil, func(o fyne.CanvasObject, inside fyne.DoubleTappable) {
		if l, ok := o.(*widget.Label); ok && l.Text == "Client 04" && cell == nil {
			cell = inside
		}
		if b, ok := o.(*Button); ok && b.Text == "Name" {
			header = b
		}
	})
	if cell == nil || header == nil {
		t.Fatalf("cell of row 4 %v, header %v", cell, header)
	}
	test.DoubleTap(cell)
	if len(opened) != 2 || opened[1] != 4 {
		t.Fatalf("a double tap on row 4 opened %v", opened)
	}
	test.Tap(header)
	if len(sorts) != 1 || sorts[0] != "name" {
		t.Fatalf("the header asked for %v", sorts)
	}
}

// walk visits every visible object under o, depth first, with the
// innermost double-tappable widget it is inside.
func walk(o fyne.CanvasObject, inside fyne.DoubleTappable, visit func(fyne.CanvasObject, fyne.DoubleTappable)) {
	if o == nil || !o.Visible() {
		return
	}
	if d, ok := o.(fyne.DoubleTappable); ok {
		inside = d
	}
	visit(o, inside)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, inside, visit)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walk(c, inside, visit)
		}
	}
}

// TestTableSaysWhatIsSeen (issue 33): each cell, chip and header says to
// a screen reader what it shows: the text, the state's name, the check
// box's state, the column sorted by.
func TestTableSaysWhatIsSeen(t *testing.T) {
	test.NewTempApp(t)
	rows := []row{{1, "Atelier Dupont"}, {2, "Boulangerie Roux"}}
	tbl := NewTable([]Column[row]{
		{Title: "Name", Width: 160, Sort: "name", Text: func(r row) string { return r.name }},
		{Title: "State", Width: 120, Chip: func(r row) (string, Tone) { return "Queued", ToneInfo }},
	}, func() []row { return rows }, func(r row) int64 { return r.id }, true)
	tbl.SortKey = "name"
	w := test.NewWindow(tbl)
	defer w.Close()
	w.Resize(fyne.NewSize(400, 300))
	tbl.Refresh()
	said := map[string]bool{}
	walk(w.Canvas().Content(), nil, func(o fyne.CanvasObject, _ fyne.DoubleTappable) {
		switch o.(type) {
		case *tableCell, *headerCell[row], *StateChip:
			said[o.(fyne.Accessible).AccessibilityLabel()] = true
		}
	})
	for _, want := range []string{"Atelier Dupont", "Boulangerie Roux", "Queued", "Name ↑", "State", "☐"} {
		if !said[want] {
			t.Errorf("nothing says %q; said %v", want, said)
		}
	}
}
