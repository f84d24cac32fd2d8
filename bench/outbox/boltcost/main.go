// Command boltcost measures what a bbolt commit costs on this disk, by
// batch size, and what opening and closing the database for each
// transaction adds (how several processes could share one file).
//
//	go run ./bench/outbox/boltcost -dir /var/tmp
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

func main() {
	dir := flag.String("dir", os.TempDir(), "directory on the disk to measure")
	flag.Parse()
	work, err := os.MkdirTemp(*dir, "boltcost-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer os.RemoveAll(work)
	path := filepath.Join(work, "q.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	body := make([]byte, 1024)
	var seq uint64
	put := func(tx *bolt.Tx, n int) error {
		b, _ := tx.CreateBucketIfNotExists([]byte("e"))
		for i := 0; i < n; i++ {
			seq++
			k := binary.BigEndian.AppendUint64(nil, seq)
			if err := b.Put(k, body); err != nil {
				return err
			}
		}
		return nil
	}
	for _, batch := range []int{1, 8, 64, 256} {
		commits := 2000 / batch
		if commits < 40 {
			commits = 40
		}
		start := time.Now()
		for c := 0; c < commits; c++ {
			db.Update(func(tx *bolt.Tx) error { return put(tx, batch) })
		}
		d := time.Since(start)
		fmt.Printf("commit of %3d × 1 KB values: %7.1f µs/commit, %8.0f values/s\n", batch, float64(d.Microseconds())/float64(commits), float64(commits*batch)/d.Seconds())
	}
	db.Close()

	for _, size := range []int{0, 100000} {
		if size > 0 {
			db, _ = bolt.Open(path, 0o600, nil)
			for i := 0; i < size/1000; i++ {
				db.Update(func(tx *bolt.Tx) error { return put(tx, 1000) })
			}
			db.Close()
		}
		st, _ := os.Stat(path)
		const n = 300
		start := time.Now()
		for i := 0; i < n; i++ {
			db, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				panic(err)
			}
			db.Close()
		}
		d := time.Since(start)
		fmt.Printf("open+close, file of %6.1f MB: %7.1f µs\n", float64(st.Size())/1e6, float64(d.Microseconds())/n)
		start = time.Now()
		for i := 0; i < n; i++ {
			db, _ := bolt.Open(path, 0o600, nil)
			db.Update(func(tx *bolt.Tx) error { return put(tx, 8) })
			db.Close()
		}
		d = time.Since(start)
		fmt.Printf("open+commit(8)+close, file of %6.1f MB: %7.1f µs\n", float64(st.Size())/1e6, float64(d.Microseconds())/n)
	}
}
