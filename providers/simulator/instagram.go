package simulator

// instagramRoutes registers the simulated instagram hosts (see the package comment).
func (s *Simulator) instagramRoutes() {}
