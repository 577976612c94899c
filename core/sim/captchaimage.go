package sim

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	mrand "math/rand/v2"
	"sync"

	"github.com/steambap/captcha"

	"github.com/chorusonboard/chorus-onboard/core/api"
)

// The captcha's image. steambap/captcha draws each character, at its own
// random size and colour and with the library's font; the layout is ours.
// Drawn whole by the library, a five-character text is spaced by the
// image's width over five with a shared random offset of up to half that
// space, and sized by the image's height alone: at 240 × 80 the last
// character often ran past the right edge, a large one past the bottom,
// and neighbours overlapped (issue 29), so that some challenges could
// only be refreshed, never solved. Here each character is drawn alone on
// a canvas wide and tall enough that it is never clipped, its ink is cut
// out, and the characters are laid side by side with a gap between each
// two and a margin all round, each at its own random height.

// Sizes of the captcha's image and of its parts, in pixels.
const (
	captchaW = api.CaptchaWidth
	captchaH = api.CaptchaHeight
	// captchaMargin is kept free of ink on every side.
	captchaMargin = 8
	// captchaGapMin and captchaGapMax bound the blank between two
	// characters: they never touch.
	captchaGapMin, captchaGapMax = 4, 12
	// glyphCanvasW and glyphCanvasH are the canvas one character is
	// drawn on: the library puts it at a random offset of up to half
	// the width, and it is at most glyphMaxW wide, glyphMaxH tall, so
	// it always fits whole.
	glyphCanvasW, glyphCanvasH = 140, 100
	// glyphFontScale sizes the characters: the library draws them at
	// glyphCanvasH / (0.8 to 1.2) × this, 50 to 75 pixels, whose capitals
	// and digits are at most about 59 wide and 44 tall (the font's
	// digits are the smallest, 24 pixels tall at least).
	glyphFontScale = 0.6
	// captchaJitter is how far a character's middle strays up or down
	// from the image's: enough to break a straight baseline, little
	// enough that the text reads as one line.
	captchaJitter = 10
	glyphMaxW     = (captchaW - 2*captchaMargin - (api.CaptchaLength-1)*captchaGapMax) / api.CaptchaLength
	glyphMaxH     = captchaH - 2*captchaMargin
)

// captchaInk are the characters' colours: each dark enough to read on the
// white background (a contrast of at least 7:1), in hues apart.
var captchaInk = color.Palette{
	color.NRGBA{0x1a, 0x23, 0x7e, 0xff}, // navy
	color.NRGBA{0x8b, 0x00, 0x00, 0xff}, // dark red
	color.NRGBA{0x1b, 0x5e, 0x20, 0xff}, // dark green
	color.NRGBA{0x4a, 0x14, 0x8c, 0xff}, // indigo
	color.NRGBA{0x5d, 0x40, 0x37, 0xff}, // brown
	color.NRGBA{0x21, 0x21, 0x21, 0xff}, // near black
}

// errGlyph: a character could not be drawn whole in glyphMaxW × glyphMaxH.
var errGlyph = errors.New("captcha: a character does not fit its box")

// drawCaptcha draws text (the captcha's answer) as the image the user
// reads: white, with noise dots and two curves behind the characters when
// noise is set (tests turn them off to find the ink), each character in
// one of captchaInk.
func drawCaptcha(text string, noise bool) (*image.NRGBA, error) {
	marks := make([]*image.Alpha, 0, len(text))
	total := 0
	for _, ch := range text {
		g, err := glyphs.get(ch)
		if err != nil {
			return nil, err
		}
		marks = append(marks, g)
		total += g.Bounds().Dx()
	}
	gaps := make([]int, len(marks)-1)
	for i := range gaps {
		gaps[i] = captchaGapMin + mrand.IntN(captchaGapMax-captchaGapMin+1)
		total += gaps[i]
	}
	img := image.NewNRGBA(image.Rect(0, 0, captchaW, captchaH))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	if noise {
		drawNoise(img)
	}
	// The text starts anywhere that keeps its margins: a fixed start
	// would tell a solver where the first character is.
	x := captchaMargin + mrand.IntN(captchaW-2*captchaMargin-total+1)
	for i, g := range marks {
		w, h := g.Bounds().Dx(), g.Bounds().Dy()
		y := captchaH/2 - h/2 - captchaJitter + mrand.IntN(2*captchaJitter+1)
		y = max(captchaMargin, min(y, captchaH-captchaMargin-h))
		ink := image.NewUniform(captchaInk[mrand.IntN(len(captchaInk))])
		draw.DrawMask(img, image.Rect(x, y, x+w, y+h), ink, image.Point{}, g, g.Bounds().Min, draw.Over)
		x += w
		if i < len(gaps) {
			x += gaps[i]
		}
	}
	return img, nil
}

// glyphVariants is how many drawings of each character are kept: drawing
// one costs a millisecond and a half (the library hands its image out
// only as a PNG), composing a captcha from kept ones a tenth of that.
// Each is an alpha mask of about 60 × 45 bytes: 32 characters × 12 are
// about 1 MB at most, drawn as captchas ask for them.
const glyphVariants = 12

// glyphCache keeps the drawings of each character, glyphVariants at most.
type glyphCache struct {
	mu sync.Mutex
	m  map[rune][]*image.Alpha
}

// glyphs is the portal's cache (one per process: the drawings depend on
// nothing but the library and the sizes above).
var glyphs = &glyphCache{m: map[rune][]*image.Alpha{}}

// get returns a drawing of ch: a new one while fewer than glyphVariants
// are kept, else one of those at random.
func (c *glyphCache) get(ch rune) (*image.Alpha, error) {
	c.mu.Lock()
	have := c.m[ch]
	c.mu.Unlock()
	if len(have) >= glyphVariants {
		return have[mrand.IntN(len(have))], nil
	}
	g, err := drawGlyph(ch)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m[ch]) < glyphVariants {
		c.m[ch] = append(c.m[ch], g)
	}
	c.mu.Unlock()
	return g, nil
}

// drawGlyph draws one character with the library (its font and a random
// size) on a transparent canvas where it cannot be cut, and returns its
// ink alone as a mask. A character that touched the canvas's edge, came
// out wider or taller than its box, or has a column without ink, is drawn
// again (a few times; the sizes above make it rare).
func drawGlyph(ch rune) (*image.Alpha, error) {
	for range 8 {
		d, err := captcha.New(glyphCanvasW, glyphCanvasH, func(o *captcha.Options) {
			o.CharPreset = string(ch)
			o.TextLength = 1
			o.CurveNumber = 0
			o.Noise = 1e-9 // no dots: (w × h) / (28 / Noise) is 0
			o.FontScale = glyphFontScale
			o.BackgroundColor = color.Transparent
			o.Palette = captchaInk
		})
		if err != nil {
			return nil, err
		}
		src, err := captchaPixels(d)
		if err != nil {
			return nil, err
		}
		clearFaint(src)
		ink := inkBounds(src)
		canvas := src.Bounds()
		if ink.Empty() || ink.Min.X == canvas.Min.X || ink.Min.Y == canvas.Min.Y || ink.Max.X == canvas.Max.X || ink.Max.Y == canvas.Max.Y ||
			ink.Dx() > glyphMaxW || ink.Dy() > glyphMaxH {
			continue
		}
		mask := image.NewAlpha(image.Rect(0, 0, ink.Dx(), ink.Dy()))
		draw.Draw(mask, mask.Bounds(), src, ink.Min, draw.Src)
		if !solidColumns(mask) {
			continue
		}
		return mask, nil
	}
	return nil, errGlyph
}

// glyphFaint is the alpha below which the library's anti-aliasing is
// dropped from a drawing: so faint a pixel is invisible on the white
// background (it may even round back to white), yet it would count in the
// character's box and could bridge or split what the reader sees.
const glyphFaint = 0x08

// clearFaint makes every pixel of img fainter than glyphFaint transparent.
func clearFaint(img *image.NRGBA) {
	for i := 3; i < len(img.Pix); i += 4 {
		if img.Pix[i] < glyphFaint {
			img.Pix[i-3], img.Pix[i-2], img.Pix[i-1], img.Pix[i] = 0, 0, 0, 0
		}
	}
}

// solidColumns reports whether every column of mask holds ink: a drawing
// with a blank column inside its box (a stroke left apart from the rest
// once its faint edge is dropped) reads as two characters, or as one and
// a smudge.
func solidColumns(mask *image.Alpha) bool {
	b := mask.Bounds()
	for x := b.Min.X; x < b.Max.X; x++ {
		solid := false
		for y := b.Min.Y; y < b.Max.Y && !solid; y++ {
			solid = mask.AlphaAt(x, y).A != 0
		}
		if !solid {
			return false
		}
	}
	return true
}

// captchaPixels reads back what the library drew: it hands its image out
// only as an encoded file.
func captchaPixels(d *captcha.Data) (*image.NRGBA, error) {
	var buf bytes.Buffer
	if err := d.WriteImage(&buf); err != nil {
		return nil, err
	}
	img, err := png.Decode(&buf)
	if err != nil {
		return nil, err
	}
	if n, ok := img.(*image.NRGBA); ok {
		return n, nil
	}
	n := image.NewNRGBA(img.Bounds())
	draw.Draw(n, n.Bounds(), img, img.Bounds().Min, draw.Src)
	return n, nil
}

// inkBounds is the smallest rectangle holding every pixel of img that is
// not fully transparent (empty if none).
func inkBounds(img *image.NRGBA) image.Rectangle {
	b := img.Bounds()
	out := image.Rectangle{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := img.Pix[img.PixOffset(b.Min.X, y):img.PixOffset(b.Max.X, y)]
		for i := 3; i < len(row); i += 4 {
			if row[i] != 0 {
				x := b.Min.X + i/4
				out = out.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return out
}

// drawNoise scatters a dot every 28 pixels and draws two sine curves, as
// the library does behind its text: enough to trouble a naive reader,
// never over a character's strokes, which are drawn after.
func drawNoise(img *image.NRGBA) {
	b := img.Bounds()
	for range b.Dx() * b.Dy() / 28 {
		img.Set(mrand.IntN(b.Dx()), mrand.IntN(b.Dy()), color.NRGBA{uint8(mrand.IntN(256)), uint8(mrand.IntN(256)), uint8(mrand.IntN(256)), 0xff})
	}
	for range 2 {
		c := captchaInk[mrand.IntN(len(captchaInk))]
		amp := float64(b.Dy()/6 + mrand.IntN(b.Dy()/6))
		mid := b.Dy()/6 + mrand.IntN(b.Dy()*2/3)
		freq := 1 + mrand.Float64()
		sign := 1.0
		if mrand.IntN(2) == 0 {
			sign = -1
		}
		for x := b.Dx() / 20; x < b.Dx()-b.Dx()/20; x++ {
			y := mid + int(sign*amp*math.Sin(math.Pi*freq*float64(x)/float64(b.Dx())))
			img.Set(x, y, c)
		}
	}
}
