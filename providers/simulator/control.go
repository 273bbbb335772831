package simulator

import (
	"encoding/json"
	"net/http"
)

// controlRoutes serves the control endpoint:
//
//	GET  /_sim/state               State as JSON (token values left out)
//	GET  /_sim/faults/{provider}   the provider's faults
//	POST /_sim/faults/{provider}   a FaultRequest: set faults, run actions
//	POST /_sim/reset               forget everything
func (s *Simulator) controlRoutes() {
	s.mux.HandleFunc("GET /_sim/state", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.State())
	})
	s.mux.HandleFunc("GET /_sim/faults/{provider}", func(w http.ResponseWriter, r *http.Request) {
		p, ok := provider(w, r)
		if !ok {
			return
		}
		s.mu.Lock()
		f := Faults{}
		if cur := s.faults[p]; cur != nil {
			f = *cur
		}
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, f)
	})
	s.mux.HandleFunc("POST /_sim/faults/{provider}", func(w http.ResponseWriter, r *http.Request) {
		p, ok := provider(w, r)
		if !ok {
			return
		}
		var req FaultRequest
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad fault request: " + err.Error()})
			return
		}
		s.SetFaults(p, req)
		writeJSON(w, http.StatusOK, req.Faults)
	})
	s.mux.HandleFunc("GET /_sim/media/{name}", s.media)
	s.mux.HandleFunc("POST /_sim/reset", func(w http.ResponseWriter, r *http.Request) {
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
}

func provider(w http.ResponseWriter, r *http.Request) (string, bool) {
	p := r.PathValue("provider")
	switch p {
	case Instagram, TikTok, YouTube:
		return p, true
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown provider " + p})
	return "", false
}

// writeJSON writes v as the JSON body of a status answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
