package widgets

import (
	"fmt"
	"strings"

	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Table is a virtualised table (widget.Table: a few dozen cell
// widgets, reused as it scrolls, whatever the row count) of rows of type R,
// with what a data tool's table does: a check box column for a selection,
// headers that sort when tapped (again to reverse), a current row that the
// arrow keys move, Space to check it, Enter or a double tap to open it.
// Rows live outside (rows returns them); the table only reads them.
type Table[R any] struct {
	widget.Table

	cols []Column[R]
	rows func() []R
	id   func(R) int64
	// Checked is the selection, by row id; OnCheck hears of each change.
	Checked map[int64]bool
	OnCheck func()
	// Current is the row the keyboard and taps are on, -1 for none; set
	// it with FocusRow.
	Current int
	// SortKey and Desc say how rows are sorted (headers show it);
	// OnSort asks for another sort.
	SortKey string
	Desc    bool
	OnSort  func(key string)
	// OnOpen opens a row (Enter, a double tap).
	OnOpen func(row int)
	// OnCheckAll hears the header's box: check every row, or none.
	OnCheckAll func(checked bool)
	// first is the column of cols[0]: 1 after the check boxes, 0 for a
	// table without them.
	first int
	// Stretch is the index in cols of the column that takes the width
	// the others leave (never less than its own width); -1 for none.
	Stretch int
}

// Column describes one column after the check box column.
type Column[R any] struct {
	Title string
	Width float32
	// Sort is the key the header sorts by; "" for a column that does not
	// sort.
	Sort string
	Text func(R) string
	// Chip, when set, draws the cell as a chip (a state).
	Chip func(R) (string, Tone)
	// Tone, when set, colours the text (errors in red).
	Tone func(R) widget.Importance
}

// checkWidth is the width of the check box column.
const checkWidth = 36

// NewTable returns a table of cols; checks adds the check box column.
func NewTable[R any](cols []Column[R], rows func() []R, id func(R) int64, checks bool) *Table[R] {
	t := &Table[R]{cols: cols, rows: rows, id: id, Checked: map[int64]bool{}, Current: -1, Stretch: -1}
	if checks {
		t.first = 1
	}
	t.Length = func() (int, int) { return len(t.rows()), len(t.cols) + t.first }
	t.CreateCell = func() fyne.CanvasObject { return newTableCell(t.tap, t.doubleTap) }
	t.UpdateCell = t.updateCell
	t.ShowHeaderRow = true
	t.CreateHeader = func() fyne.CanvasObject { return newHeaderCell(t) }
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) { o.(*headerCell[R]).update(id.Col) }
	t.OnSelected = func(id widget.TableCellID) { t.setCurrent(id.Row) }
	t.OnHighlighted = func(id widget.TableCellID) { t.setCurrent(id.Row) }
	t.ExtendBaseWidget(t)
	if checks {
		t.SetColumnWidth(0, checkWidth)
	}
	for i, c := range cols {
		t.SetColumnWidth(i+t.first, c.Width)
	}
	return t
}

// Resize gives the stretching column the width the others leave.
func (t *Table[R]) Resize(size fyne.Size) {
	if t.Stretch >= 0 {
		pad := theme.Padding()
		used := float32(0)
		if t.first == 1 {
			used += checkWidth + pad
		}
		for i, c := range t.cols {
			if i != t.Stretch {
				used += c.Width + pad
			}
		}
		// Room for the vertical scroll bar.
		spare := size.Width - used - pad - theme.ScrollBarSize()
		t.SetColumnWidth(t.Stretch+t.first, max(t.cols[t.Stretch].Width, spare))
	}
	t.Table.Resize(size)
}

// TypedKey adds Space (check the current row) and Enter (open it) to the
// table's arrow keys.
func (t *Table[R]) TypedKey(e *fyne.KeyEvent) {
	switch e.Name {
	case fyne.KeySpace:
		if t.first == 1 {
			t.toggle(t.Current)
		}
	case fyne.KeyReturn, fyne.KeyEnter:
		if t.Current >= 0 && t.OnOpen != nil {
			t.OnOpen(t.Current)
		}
	default:
		t.Table.TypedKey(e)
	}
}

// setCurrent moves the current row and redraws the rows' backgrounds.
func (t *Table[R]) setCurrent(row int) {
	if row == t.Current {
		return
	}
	t.Current = row
	t.Refresh()
}

// FocusRow makes row the current one, in view, with the keyboard focus on
// the table (back from a form: the same row).
func (t *Table[R]) FocusRow(row int) {
	if n := len(t.rows()); row >= n {
		row = n - 1
	}
	if row < 0 {
		return
	}
	t.Highlight(widget.TableCellID{Row: row, Col: 1})
	t.Current = row
	if c := fyne.CurrentApp().Driver().CanvasForObject(t); c != nil {
		c.Focus(t)
	}
}

// toggle checks or unchecks a row.
func (t *Table[R]) toggle(row int) {
	rows := t.rows()
	if row < 0 || row >= len(rows) {
		return
	}
	id := t.id(rows[row])
	t.setChecked(id, !t.Checked[id])
}

func (t *Table[R]) setChecked(id int64, on bool) {
	if on {
		t.Checked[id] = true
	} else {
		delete(t.Checked, id)
	}
	t.Refresh()
	if t.OnCheck != nil {
		t.OnCheck()
	}
}

// tap makes a row current and gives the table the keyboard.
func (t *Table[R]) tap(row int) {
	t.Select(widget.TableCellID{Row: row, Col: 1})
	t.UnselectAll() // the row's background says it is current
	t.Current = row
	if c := fyne.CurrentApp().Driver().CanvasForObject(t); c != nil {
		c.Focus(t)
	}
	t.Refresh()
}

func (t *Table[R]) doubleTap(row int) {
	t.tap(row)
	if t.OnOpen != nil {
		t.OnOpen(row)
	}
}

func (t *Table[R]) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	c := o.(*tableCell)
	rows := t.rows()
	if id.Row >= len(rows) {
		return
	}
	r := rows[id.Row]
	c.row = id.Row
	rowID := t.id(r)
	var bg color.Color = color.Transparent
	switch {
	case id.Row == t.Current:
		bg = theme.Color(theme.ColorNameSelection)
	case t.Checked[rowID]:
		bg = theme.Color(theme.ColorNameHover)
	}
	if c.bg.FillColor != bg {
		c.bg.FillColor = bg
		c.bg.Refresh()
	}
	if id.Col < t.first {
		c.show(c.check)
		c.check.OnChanged = nil
		if on := t.Checked[rowID]; c.check.Checked != on {
			c.check.SetChecked(on)
		}
		c.check.OnChanged = func(on bool) { t.setChecked(rowID, on) }
		return
	}
	col := t.cols[id.Col-t.first]
	if col.Chip != nil {
		text, tone := col.Chip(r)
		if c.chip.text.Text != text || c.chip.tone != tone {
			c.chip.Set(text, tone)
			c.chipBox.Refresh() // the chip's width follows its text
		}
		c.show(c.chipBox)
		return
	}
	text, imp := col.Text(r), widget.MediumImportance
	if col.Tone != nil {
		imp = col.Tone(r)
	}
	// A label is laid out again (its text shaped) only when it changes:
	// moving the current row or ticking a box redraws every visible cell.
	if c.label.Text != text || c.label.Importance != imp {
		c.label.Text, c.label.Importance = text, imp
		c.label.Refresh()
	}
	c.show(c.label)
}

// tableCell is one cell: a background (the current or a checked row), and
// one of a check box, a label or a chip.
type tableCell struct {
	widget.BaseWidget
	bg      *canvas.Rectangle
	check   *Check
	label   *widget.Label
	chip    *StateChip
	chipBox *fyne.Container
	row     int

	onTap, onDoubleTap func(row int)
}

func newTableCell(tap, double func(int)) *tableCell {
	c := &tableCell{bg: canvas.NewRectangle(color.Transparent), check: NewCheck("", nil), label: widget.NewLabel(""),
		chip: NewStateChip(), onTap: tap, onDoubleTap: double}
	// Clip, not an ellipsis: Fyne shapes the whole text again at each
	// refresh to place an ellipsis, which costs more than the rest of a
	// keystroke's work in a table.
	c.label.Truncation = fyne.TextTruncateClip
	c.chipBox = container.New(layout.NewCustomPaddedLayout(0, 0, theme.Padding(), 0), container.NewVBox(layout.NewSpacer(), c.chip, layout.NewSpacer()))
	c.chipBox = container.NewHBox(c.chipBox)
	c.ExtendBaseWidget(c)
	return c
}

// show makes o the visible part of the cell.
func (c *tableCell) show(o fyne.CanvasObject) {
	for _, p := range []fyne.CanvasObject{c.check, c.label, c.chipBox} {
		if p == o {
			p.Show()
		} else {
			p.Hide()
		}
	}
}

// Tapped makes the cell's row current.
func (c *tableCell) Tapped(*fyne.PointEvent) { c.onTap(c.row) }

// DoubleTapped opens the cell's row.
func (c *tableCell) DoubleTapped(*fyne.PointEvent) { c.onDoubleTap(c.row) }

// CreateRenderer stacks the parts.
func (c *tableCell) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(c.bg, c.check, c.label, c.chipBox))
}

// headerCell is a column's header: a button that sorts, with an arrow on
// the column sorted by; the check box column's header checks every row.
type headerCell[R any] struct {
	widget.BaseWidget
	t      *Table[R]
	col    int
	button *Button
	check  *Check
}

func newHeaderCell[R any](t *Table[R]) *headerCell[R] {
	h := &headerCell[R]{t: t}
	h.button = NewButton("", func() {
		if h.col >= t.first && t.OnSort != nil && t.cols[h.col-t.first].Sort != "" {
			t.OnSort(t.cols[h.col-t.first].Sort)
		}
	})
	h.button.Alignment = widget.ButtonAlignLeading
	h.button.IconPlacement = widget.ButtonIconTrailingText
	h.button.Importance = widget.LowImportance
	h.check = NewCheck("", nil)
	h.ExtendBaseWidget(h)
	return h
}

func (h *headerCell[R]) update(col int) {
	h.col = col
	if col < h.t.first {
		h.button.Hide()
		h.check.Show()
		h.check.OnChanged = nil
		n, all := len(h.t.Checked), len(h.t.rows())
		h.check.Checked = all > 0 && n >= all
		h.check.Partial = n > 0 && n < all
		h.check.Refresh()
		h.check.OnChanged = func(on bool) {
			if h.t.OnCheckAll != nil {
				h.t.OnCheckAll(on)
			}
		}
		return
	}
	h.check.Hide()
	h.button.Show()
	c := h.t.cols[col-h.t.first]
	h.button.SetText(c.Title)
	switch {
	case c.Sort == "" || c.Sort != h.t.SortKey:
		h.button.SetIcon(nil)
	case h.t.Desc:
		h.button.SetIcon(theme.MenuDropDownIcon())
	default:
		h.button.SetIcon(theme.MenuDropUpIcon())
	}
}

// CreateRenderer stacks the button and the check box.
func (h *headerCell[R]) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(h.button, h.check))
}

// Tone is the colour family of a chip: the state's meaning, which the
// chip's text also says (never colour alone).
type Tone int

// Chip tones.
const (
	ToneNeutral Tone = iota // drafts
	ToneInfo                // waiting to be sent
	ToneWarning             // waiting for someone
	ToneSuccess             // done
	ToneError               // refused
)

// StateChip is a state drawn as a chip: a rounded, tinted background with
// the state's name.
type StateChip struct {
	widget.BaseWidget
	bg   *canvas.Rectangle
	text *canvas.Text
	tone Tone
}

func NewStateChip() *StateChip {
	c := &StateChip{bg: canvas.NewRectangle(color.Transparent), text: canvas.NewText("", color.Black)}
	c.bg.CornerRadius = 9
	c.text.TextSize = theme.TextSize() - 1
	c.ExtendBaseWidget(c)
	return c
}

// set changes the chip's text and tone.
func (c *StateChip) Set(text string, tone Tone) {
	c.text.Text, c.tone = text, tone
	c.Refresh()
}

// toneColor is the theme colour of a tone.
func toneColor(t Tone) color.Color {
	switch t {
	case ToneInfo:
		return theme.Color(theme.ColorNamePrimary)
	case ToneWarning:
		return theme.Color(theme.ColorNameWarning)
	case ToneSuccess:
		return theme.Color(theme.ColorNameSuccess)
	case ToneError:
		return theme.Color(theme.ColorNameError)
	}
	return theme.Color(theme.ColorNameDisabled)
}

// tint returns c at alpha a (0-255) over nothing: the chip's background.
func tint(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

// Refresh follows the theme and the tone.
func (c *StateChip) Refresh() {
	c.bg.FillColor = tint(toneColor(c.tone), 0x38)
	c.bg.StrokeColor = toneColor(c.tone)
	c.bg.StrokeWidth = 1
	c.text.Color = theme.Color(theme.ColorNameForeground)
	c.text.TextSize = theme.TextSize() - 1
	c.bg.Refresh()
	c.text.Refresh()
}

// MinSize fits the text with room around it.
func (c *StateChip) MinSize() fyne.Size {
	s := c.text.MinSize()
	return fyne.NewSize(s.Width+2*theme.Padding()+4, s.Height+theme.Padding())
}

// CreateRenderer centres the text on the background.
func (c *StateChip) CreateRenderer() fyne.WidgetRenderer {
	c.Refresh()
	return widget.NewSimpleRenderer(container.NewStack(c.bg, container.NewCenter(c.text)))
}

// AccessibilityLabel is the chip's text: the state's name.
func (c *StateChip) AccessibilityLabel() string { return c.text.Text }

// AccessibilityRole is text.
func (c *StateChip) AccessibilityRole() fyne.AccessibleRole { return fyne.AccessibleRoleText }

// AccessibilityLabel is what the cell shows: its text, its chip's state,
// or its check box ("☑" for a row checked).
func (c *tableCell) AccessibilityLabel() string {
	switch {
	case c.label.Visible():
		return c.label.Text
	case c.chipBox.Visible():
		return c.chip.AccessibilityLabel()
	}
	return c.check.AccessibilityLabel()
}

// AccessibilityRole is text.
func (c *tableCell) AccessibilityRole() fyne.AccessibleRole { return fyne.AccessibleRoleText }

// AccessibilityLabel is the column's title and, on the column sorted by,
// the order as an arrow ("Company ↑"); the check box column's header says
// its box's state.
func (h *headerCell[R]) AccessibilityLabel() string {
	if h.check.Visible() {
		return h.check.AccessibilityLabel()
	}
	c := h.t.cols[h.col-h.t.first]
	switch {
	case c.Sort == "" || c.Sort != h.t.SortKey:
		return c.Title
	case h.t.Desc:
		return c.Title + " ↓"
	}
	return c.Title + " ↑"
}

// AccessibilityRole is a button: it sorts.
func (h *headerCell[R]) AccessibilityRole() fyne.AccessibleRole { return fyne.AccessibleRoleButton }

// AccessibilityLabel is what the keyboard is on: the current row, "3 /
// 120: ☑, SIRET, 732 829 320 00074, Atelier Dupont, Queued", or the
// number of rows when none is current.
func (t *Table[R]) AccessibilityLabel() string {
	rows := t.rows()
	if t.Current < 0 || t.Current >= len(rows) {
		return fmt.Sprintf("%d", len(rows))
	}
	r := rows[t.Current]
	var parts []string
	if t.first > 0 {
		mark := "☐"
		if t.Checked[t.id(r)] {
			mark = "☑"
		}
		parts = append(parts, mark)
	}
	for _, c := range t.cols {
		switch {
		case c.Chip != nil:
			text, _ := c.Chip(r)
			parts = append(parts, text)
		case c.Text != nil:
			parts = append(parts, c.Text(r))
		}
	}
	return fmt.Sprintf("%d / %d: %s", t.Current+1, len(rows), strings.Join(parts, ", "))
}

// AccessibilityRole is text: Fyne 2.8's bridge has no table role.
func (t *Table[R]) AccessibilityRole() fyne.AccessibleRole { return fyne.AccessibleRoleText }

// KeepCurrent returns what puts the current row back where it is now:
// for a check that tabs through a screen, which makes a row current as
// it passes (uitest.CheckKeyboard).
func (t *Table[R]) KeepCurrent() (restore func()) {
	row := t.Current
	return func() { t.setCurrent(row) }
}
