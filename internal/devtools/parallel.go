package devtools

import "sync"

// Parallel runs f(0..n-1), limit at a time, and returns the first error, if any, once
// all have finished.
func Parallel(n, limit int, f func(i int) error) error {
	errs := make(chan error, n)
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := f(i); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}
