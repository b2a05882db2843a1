package center

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkSearch measures a search of a national-size directory (3,000 centers) as the
// /centers page and API run it: one word of text, a service filter, ordered by distance.
func BenchmarkSearch(b *testing.B) {
	svc, _, _ := newService()
	ctx := context.Background()
	services := [][]string{{"register", "confirm", "recover", "delete"}, {"confirm"}, {"confirm", "recover"}}
	for i := range 3000 {
		p := Point{Lat: 43 + float64(i%200)*0.1, Lon: 30 + float64(i/200)*2}
		name := fmt.Sprintf("МФЦ №%d", i)
		if i%10 == 0 {
			name += " Тверской"
		}
		if _, err := svc.Create(ctx, input(fmt.Sprintf("c-%d", i), name, fmt.Sprintf("ул. Ленина, %d", i), p, services[i%3]...)); err != nil {
			b.Fatal(err)
		}
	}
	q := Query{Text: "мфц", Service: "recover", Near: &kremlin, Limit: 20}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := svc.Search(ctx, q)
		if err != nil || len(res) != 20 {
			b.Fatalf("Search = %d results, %v", len(res), err)
		}
	}
}
