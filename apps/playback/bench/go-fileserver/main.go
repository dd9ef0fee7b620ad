// The baseline: the original project's way of serving manifests, a plain net/http FileServer
// with a CORS header. Usage: go-fileserver -addr 127.0.0.1:PORT -dir DIR
package main

import (
	"flag"
	"log"
	"net/http"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "listen address (loopback)")
	dir := flag.String("dir", ".", "directory to serve")
	flag.Parse()
	files := http.FileServer(http.Dir(*dir))
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		files.ServeHTTP(w, r)
	})
	log.Printf("serving %s on %s", *dir, *addr)
	log.Fatal(http.ListenAndServe(*addr, handler))
}
