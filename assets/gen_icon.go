//go:build ignore

// gen_icon draws icon.png: a rounded square in the French administration's
// blue with a white check mark over an open "C" (Chorus). Run: go run gen_icon.go
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

func main() {
	const n, ss = 512, 4 // size and supersampling factor
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	blue := [3]float64{0, 0, 145}    // #000091, Marianne blue
	blue2 := [3]float64{38, 68, 200} // lighter, for a soft gradient
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			var cover, white float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					px := (float64(x) + (float64(sx)+0.5)/ss) / n
					py := (float64(y) + (float64(sy)+0.5)/ss) / n
					if !roundedSquare(px, py, 0.04, 0.2) {
						continue
					}
					cover++
					if ring(px, py) || check(px, py) {
						white++
					}
				}
			}
			if cover == 0 {
				continue
			}
			t := float64(y) / n
			var c [3]float64
			for i := range c {
				base := blue[i]*(1-t) + blue2[i]*t
				c[i] = (base*(cover-white) + 255*white) / cover
			}
			img.SetNRGBA(x, y, color.NRGBA{uint8(c[0]), uint8(c[1]), uint8(c[2]), uint8(255 * cover / (ss * ss))})
		}
	}
	f, err := os.Create("icon.png")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		log.Fatal(err)
	}
}

func roundedSquare(x, y, margin, r float64) bool {
	lo, hi := margin+r, 1-margin-r
	dx := math.Max(math.Max(lo-x, 0), x-hi)
	dy := math.Max(math.Max(lo-y, 0), y-hi)
	return x >= margin && x <= 1-margin && y >= margin && y <= 1-margin && dx*dx+dy*dy <= r*r
}

// ring is an open C around the centre, its gap on the right.
func ring(x, y float64) bool {
	dx, dy := x-0.5, y-0.5
	d := math.Hypot(dx, dy)
	a := math.Atan2(dy, dx)
	return d > 0.25 && d < 0.32 && math.Abs(a) > 0.75
}

// check is a thick check mark through the C's gap.
func check(x, y float64) bool {
	return segment(x, y, 0.40, 0.52, 0.50, 0.62, 0.045) || segment(x, y, 0.50, 0.62, 0.80, 0.30, 0.045)
}

func segment(x, y, x1, y1, x2, y2, w float64) bool {
	vx, vy := x2-x1, y2-y1
	t := math.Max(0, math.Min(1, ((x-x1)*vx+(y-y1)*vy)/(vx*vx+vy*vy)))
	return math.Hypot(x-(x1+t*vx), y-(y1+t*vy)) < w
}
