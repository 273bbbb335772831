package simulator

// tiktokRoutes registers the simulated tiktok hosts (see the package comment).
func (s *Simulator) tiktokRoutes() {}
