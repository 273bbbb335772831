package simulator

// youtubeRoutes registers the simulated youtube hosts (see the package comment).
func (s *Simulator) youtubeRoutes() {}
