package main

import (
	"bytes"
	"compress/gzip"
	"io"

	"google.golang.org/protobuf/encoding/protowire"
)

// cpuBySide reads a CPU profile (runtime/pprof's gzipped protobuf) and
// returns the CPU seconds of its samples by their "side" label ("" for
// samples without one: GC workers, runtime, timers).
func cpuBySide(gz []byte) (map[string]float64, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	type label struct{ key, str int64 }
	type sample struct {
		values []int64
		labels []label
	}
	var samples []sample
	var strs []string
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		b = b[n:]
		if typ != protowire.BytesType {
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return nil, protowire.ParseError(n)
			}
			b = b[n:]
			continue
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		b = b[n:]
		switch num {
		case 2: // Sample
			var s sample
			for len(v) > 0 {
				fn, ft, k := protowire.ConsumeTag(v)
				if k < 0 {
					return nil, protowire.ParseError(k)
				}
				v = v[k:]
				switch {
				case fn == 2 && ft == protowire.VarintType:
					x, k := protowire.ConsumeVarint(v)
					s.values = append(s.values, int64(x))
					v = v[k:]
				case fn == 2 && ft == protowire.BytesType:
					p, k := protowire.ConsumeBytes(v)
					v = v[k:]
					for len(p) > 0 {
						x, j := protowire.ConsumeVarint(p)
						if j < 0 {
							return nil, protowire.ParseError(j)
						}
						s.values = append(s.values, int64(x))
						p = p[j:]
					}
				case fn == 3 && ft == protowire.BytesType:
					p, k := protowire.ConsumeBytes(v)
					v = v[k:]
					var l label
					for len(p) > 0 {
						ln, lt, j := protowire.ConsumeTag(p)
						if j < 0 {
							return nil, protowire.ParseError(j)
						}
						p = p[j:]
						if lt != protowire.VarintType {
							j = protowire.ConsumeFieldValue(ln, lt, p)
							p = p[j:]
							continue
						}
						x, j := protowire.ConsumeVarint(p)
						p = p[j:]
						switch ln {
						case 1:
							l.key = int64(x)
						case 2:
							l.str = int64(x)
						}
					}
					s.labels = append(s.labels, l)
				default:
					k := protowire.ConsumeFieldValue(fn, ft, v)
					if k < 0 {
						return nil, protowire.ParseError(k)
					}
					v = v[k:]
				}
			}
			samples = append(samples, s)
		case 6: // string_table
			strs = append(strs, string(v))
		}
	}
	out := map[string]float64{}
	for _, s := range samples {
		if len(s.values) < 2 {
			continue
		}
		side := ""
		for _, l := range s.labels {
			if int(l.key) < len(strs) && strs[l.key] == "side" && int(l.str) < len(strs) {
				side = strs[l.str]
			}
		}
		out[side] += float64(s.values[1]) / 1e9
	}
	return out, nil
}
