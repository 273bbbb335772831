// Package providers is the parent of the HTTP clients of the external
// services (Instagram, TikTok, YouTube, Stripe, the AI provider) and of
// their offline simulators; each lives in its own subpackage.
package providers
