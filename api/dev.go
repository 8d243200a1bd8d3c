package api

import (
	"encoding/json"
	"net/http"
)

// DevUser is one of casework dev's sample users with its bearer token.
type DevUser struct {
	Var     string `json:"var"`
	Subject string `json:"subject"`
	Role    string `json:"role"`
	Token   string `json:"token"`
}

// devUsers lists the development users, so the workbench's development
// sign-in can offer them. It is registered only when the server has
// DevUsers, which only casework dev sets: the tokens it hands out are the
// ones casework dev already prints and writes to .data/tokens.env.
func (s *Server) devUsers(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]any{"users": s.DevUsers})
}
