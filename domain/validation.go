package domain

import (
	"cmp"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The networks' limits a content is validated against (PROVIDERS.md), each
// in the unit the network counts in.
const (
	// MaxMediaItems is the most media one content holds (TikTok's photo
	// post limit, the largest of the three networks).
	MaxMediaItems = 35
	// MaxHashtagChars is the longest hashtag, '#' left out.
	MaxHashtagChars = 100

	// MaxInstagramCaption is in Unicode code points.
	MaxInstagramCaption  = 2200
	MaxInstagramHashtags = 30
	MaxInstagramMentions = 20
	MinInstagramCarousel = 2
	MaxInstagramCarousel = 10

	// MaxTikTokCaption is in UTF-16 code units (post_info.title).
	MaxTikTokCaption = 2200
	MaxTikTokImages  = 35

	// MaxYouTubeTitle is in Unicode code points.
	MaxYouTubeTitle = 100
	// MaxYouTubeDescription is in UTF-8 bytes.
	MaxYouTubeDescription = 5000
	// MaxYouTubeTagsChars is counted as YouTubeTagsLength counts.
	MaxYouTubeTagsChars = 500
)

// TikTokPrivacyLevels are every privacy level TikTok knows; a creator is
// offered a subset of them (creator_info's privacy_level_options).
var TikTokPrivacyLevels = []string{"PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"}

// YouTubePrivacies are the privacy statuses a YouTube video can have.
var YouTubePrivacies = []string{YouTubePublic, YouTubeUnlisted, YouTubePrivate}

// InstagramTypes are the media types an Instagram override can ask for.
var InstagramTypes = []string{InstagramFeed, InstagramReels, InstagramStory, InstagramCarousel}

// YouTubeTagsLength counts tags the way YouTube does against its
// 500-character limit: the characters of each tag, a comma between tags,
// and two quotes around a tag that holds a space. It is the rule of
// providers/youtube's TagsLength, repeated here because domain imports no
// adapter; the two must agree.
func YouTubeTagsLength(tags []string) int {
	n := 0
	for i, t := range tags {
		if i > 0 {
			n++
		}
		n += utf8.RuneCountInString(t)
		if strings.Contains(t, " ") {
			n += 2
		}
	}
	return n
}

// Hashtags and mentions as Instagram counts them in a caption (the same
// patterns as the simulator's, so a content we pass is one it takes).
var (
	captionHashtag = regexp.MustCompile(`#[\p{L}\p{N}_]+`)
	captionMention = regexp.MustCompile(`@[\p{L}\p{N}_.]+`)
)

// validation collects violations; no rule stops the others.
type validation struct {
	errs Errors
}

func (v *validation) add(network Provider, field, format string, args ...any) {
	v.errs = append(v.errs, &Error{Code: CodeInvalid, Network: string(network), Field: field,
		Message: fmt.Sprintf(format, args...)})
}

// networkRank orders violations: network-independent first, then
// instagram, tiktok, youtube, then anything else.
func networkRank(n string) int {
	switch Provider(n) {
	case "":
		return 0
	case ProviderInstagram:
		return 1
	case ProviderTikTok:
		return 2
	case ProviderYouTube:
		return 3
	}
	return 4
}

// sorted returns the violations by network then field (numbers in paths
// compared as numbers, so media[2] comes before media[10]), keeping the
// order of the checks within one field; nil when there are none.
func (v *validation) sorted() Errors {
	if len(v.errs) == 0 {
		return nil
	}
	slices.SortStableFunc(v.errs, func(a, b *Error) int {
		if c := cmp.Compare(networkRank(a.Network), networkRank(b.Network)); c != 0 {
			return c
		}
		if c := strings.Compare(a.Network, b.Network); c != 0 {
			return c
		}
		return compareFields(a.Field, b.Field)
	})
	return v.errs
}

// compareFields compares two JSON paths, runs of digits by their value.
func compareFields(a, b string) int {
	for a != "" && b != "" {
		da, db := isDigit(a[0]), isDigit(b[0])
		if da && db {
			na, ra := leadingDigits(a)
			nb, rb := leadingDigits(b)
			ia, _ := strconv.Atoi(na)
			ib, _ := strconv.Atoi(nb)
			if c := cmp.Compare(ia, ib); c != 0 {
				return c
			}
			a, b = ra, rb
			continue
		}
		if c := cmp.Compare(a[0], b[0]); c != 0 {
			return c
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func leadingDigits(s string) (digits, rest string) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

// targetGroup is one network to validate for, with the distinct sets of
// creator privacy options its accounts have.
type targetGroup struct {
	provider Provider
	privacy  []privacyOptions
}

// privacyOptions is one set of creator privacy options and the accounts
// that have it.
type privacyOptions struct {
	levels   []string
	accounts []string
}

// groupTargets deduplicates targets by network; within a network, accounts
// with the same privacy options share one check.
func groupTargets(targets []ValidationTarget) []targetGroup {
	var groups []targetGroup
	for _, t := range targets {
		i := slices.IndexFunc(groups, func(g targetGroup) bool { return g.provider == t.Provider })
		if i < 0 {
			groups = append(groups, targetGroup{provider: t.Provider})
			i = len(groups) - 1
		}
		if t.Options == nil || len(t.Options.PrivacyLevelOptions) == 0 {
			continue
		}
		g := &groups[i]
		key := slices.Sorted(slices.Values(t.Options.PrivacyLevelOptions))
		j := slices.IndexFunc(g.privacy, func(p privacyOptions) bool {
			return slices.Equal(slices.Sorted(slices.Values(p.levels)), key)
		})
		if j < 0 {
			g.privacy = append(g.privacy, privacyOptions{levels: t.Options.PrivacyLevelOptions})
			j = len(g.privacy) - 1
		}
		if t.AccountID != "" && !slices.Contains(g.privacy[j].accounts, t.AccountID) {
			g.privacy[j].accounts = append(g.privacy[j].accounts, t.AccountID)
		}
	}
	return groups
}

// base checks the rules every network shares: media, hashtags and the
// characters of every text, overrides included.
func (v *validation) base(c Content) {
	if n := len(c.Media); n > MaxMediaItems {
		v.add("", "media", "a content holds at most %d media items, got %d", MaxMediaItems, n)
	}
	for i, m := range c.Media {
		field := fmt.Sprintf("media[%d]", i)
		v.mediaURL(field+".url", m.URL)
		if m.Kind != MediaImage && m.Kind != MediaVideo {
			v.add("", field+".kind", "media kind must be %q or %q, got %q", MediaImage, MediaVideo, m.Kind)
		}
		v.controls(field+".alt_text", m.AltText)
	}
	v.controls("title", c.Title)
	v.controls("body", c.Body)
	v.hashtags("hashtags", c.Hashtags)
	if o := c.Overrides.Instagram; o != nil {
		v.controlsPtr("overrides.instagram.caption", o.Caption)
		v.hashtags("overrides.instagram.hashtags", o.Hashtags)
	}
	if o := c.Overrides.TikTok; o != nil {
		v.controlsPtr("overrides.tiktok.caption", o.Caption)
		v.hashtags("overrides.tiktok.hashtags", o.Hashtags)
	}
	if o := c.Overrides.YouTube; o != nil {
		v.controlsPtr("overrides.youtube.title", o.Title)
		v.controlsPtr("overrides.youtube.description", o.Description)
		v.controlsPtr("overrides.youtube.caption", o.Caption)
		v.hashtags("overrides.youtube.hashtags", o.Hashtags)
		for i, t := range o.Tags {
			v.controls(fmt.Sprintf("overrides.youtube.tags[%d]", i), t)
		}
	}
}

// mediaURL requires an absolute http(s) URL: the networks (and our
// publisher) fetch it from the internet.
func (v *validation) mediaURL(field, raw string) {
	if strings.TrimSpace(raw) == "" {
		v.add("", field, "media URL is required")
		return
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.add("", field, "media URL must be an absolute http or https URL, got %q", shorten(raw))
	}
}

// hashtags checks each tag: 1 to 100 letters, digits or underscores after
// its leading '#' (combining marks count as part of a letter, so tags in
// scripts that need them pass).
func (v *validation) hashtags(field string, tags []string) {
	for i, t := range tags {
		f := fmt.Sprintf("%s[%d]", field, i)
		tag := normalizeHashtag(t)
		if n := utf8.RuneCountInString(tag); n == 0 || n > MaxHashtagChars {
			v.add("", f, "a hashtag must be 1 to %d characters after its '#', got %d", MaxHashtagChars, n)
			continue
		}
		if i := strings.IndexFunc(tag, func(r rune) bool { return !isWordRune(r) }); i >= 0 {
			r, _ := utf8.DecodeRuneInString(tag[i:])
			v.add("", f, "hashtag %q may hold only letters, digits and underscores, got %s", shorten(t), describeRune(r))
		}
	}
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// controls refuses NUL and the other C0 control characters but line feed,
// carriage return and tab: they are invisible, and the networks refuse or
// strip them.
func (v *validation) controls(field, s string) {
	pos := 0
	for _, r := range s {
		pos++
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' {
			v.add("", field, "text contains the control character U+%04X at character %d; only line feed, carriage return and tab are allowed", r, pos)
			return
		}
	}
}

func (v *validation) controlsPtr(field string, s *string) {
	if s != nil {
		v.controls(field, *s)
	}
}

// network checks the rules of one target network.
func (v *validation) network(c Content, g targetGroup) {
	switch g.provider {
	case ProviderInstagram:
		v.instagram(c)
	case ProviderTikTok:
		v.tiktok(c, g.privacy)
	case ProviderYouTube:
		v.youtube(c)
	default:
		v.add(g.provider, "provider", "unknown network %q; the supported networks are instagram, tiktok and youtube", g.provider)
	}
}

// captionFields are the JSON paths of a network's caption text and
// hashtags: the override's when it sets them, else the content's.
func captionFields(network string, caption *string, hashtags []string) (text, tags string) {
	text, tags = "body", "hashtags"
	if caption != nil {
		text = "overrides." + network + ".caption"
	}
	if hashtags != nil {
		tags = "overrides." + network + ".hashtags"
	}
	return text, tags
}

func (v *validation) instagram(c Content) {
	const p = ProviderInstagram
	o := c.Overrides.Instagram
	if o == nil {
		o = &InstagramOverride{}
	}
	post := c.Render(p)
	textField, tagsField := captionFields("instagram", o.Caption, o.Hashtags)
	if n := utf8.RuneCountInString(post.Caption); n > MaxInstagramCaption {
		v.add(p, textField, "the Instagram caption, hashtags included, is %d characters (Unicode code points), over the limit of %d characters",
			n, MaxInstagramCaption)
	}
	if n := len(captionHashtag.FindAllString(post.Caption, -1)); n > MaxInstagramHashtags {
		field := tagsField
		if len(captionHashtag.FindAllString(textOr(o.Caption, c.Body), -1)) > MaxInstagramHashtags {
			field = textField
		}
		v.add(p, field, "the Instagram caption holds %d hashtags (in the text and appended), over the limit of %d hashtags",
			n, MaxInstagramHashtags)
	}
	if n := len(captionMention.FindAllString(post.Caption, -1)); n > MaxInstagramMentions {
		v.add(p, textField, "the Instagram caption holds %d @-mentions, over the limit of %d mentions", n, MaxInstagramMentions)
	}

	images, videos := countKinds(c.Media)
	switch post.InstagramType {
	case "":
		v.add(p, "media", "Instagram needs media: 1 JPEG image (feed), 1 video (reels), 1 image or video (story) or %d to %d items (carousel); the content has none",
			MinInstagramCarousel, MaxInstagramCarousel)
		return
	case InstagramFeed:
		if images != 1 || videos != 0 {
			v.add(p, "media", "an Instagram feed post takes exactly 1 image, got %s", describeMedia(images, videos))
		}
	case InstagramReels:
		if videos != 1 || images != 0 {
			v.add(p, "media", "an Instagram reel takes exactly 1 video, got %s", describeMedia(images, videos))
		}
		return // no image to check
	case InstagramStory:
		if images+videos != 1 {
			v.add(p, "media", "an Instagram story takes exactly 1 image or video, got %s", describeMedia(images, videos))
		}
	case InstagramCarousel:
		if n := len(c.Media); n < MinInstagramCarousel || n > MaxInstagramCarousel {
			v.add(p, "media", "an Instagram carousel takes %d to %d items, got %d", MinInstagramCarousel, MaxInstagramCarousel, n)
		}
	default:
		v.add(p, "overrides.instagram.media_type", "Instagram media type %q is none of %s", post.InstagramType, strings.Join(InstagramTypes, ", "))
		return
	}
	for i, m := range c.Media {
		if m.Kind == MediaImage && !hasExtension(m.URL, ".jpg", ".jpeg") {
			v.add(p, fmt.Sprintf("media[%d].url", i), "Instagram accepts JPEG images only (a URL ending in .jpg or .jpeg), got %q", shorten(m.URL))
		}
	}
}

func (v *validation) tiktok(c Content, options []privacyOptions) {
	const p = ProviderTikTok
	o := c.Overrides.TikTok
	if o == nil {
		o = &TikTokOverride{}
	}
	post := c.Render(p)
	textField, _ := captionFields("tiktok", o.Caption, o.Hashtags)
	if n := utf16Len(post.Caption); n > MaxTikTokCaption {
		v.add(p, textField, "the TikTok caption, hashtags included, is %d UTF-16 code units (an emoji counts 2), over the limit of %d",
			n, MaxTikTokCaption)
	}

	images, videos := countKinds(c.Media)
	switch {
	case images == 0 && videos == 0:
		v.add(p, "media", "TikTok needs media: 1 video, or 1 to %d JPEG or WebP images (a photo post); the content has none", MaxTikTokImages)
	case images > 0 && videos > 0:
		v.add(p, "media", "a TikTok post cannot mix videos and images, got %s", describeMedia(images, videos))
	case videos > 1:
		v.add(p, "media", "a TikTok video post takes exactly 1 video, got %d videos", videos)
	case images > MaxTikTokImages:
		v.add(p, "media", "a TikTok photo post takes 1 to %d images, got %d images", MaxTikTokImages, images)
	}
	for i, m := range c.Media {
		if m.Kind == MediaImage && !hasExtension(m.URL, ".jpg", ".jpeg", ".webp") {
			v.add(p, fmt.Sprintf("media[%d].url", i), "TikTok accepts JPEG or WebP images only (a URL ending in .jpg, .jpeg or .webp), got %q", shorten(m.URL))
		}
	}

	const privacyField = "overrides.tiktok.privacy_level"
	switch {
	case post.Privacy == "":
		// The publisher picks the creator's default.
	case !slices.Contains(TikTokPrivacyLevels, post.Privacy):
		v.add(p, privacyField, "TikTok privacy level %q is none of %s", post.Privacy, strings.Join(TikTokPrivacyLevels, ", "))
	default:
		for _, opts := range options {
			if slices.Contains(opts.levels, post.Privacy) {
				continue
			}
			who := ""
			switch len(opts.accounts) {
			case 0:
			case 1:
				who = " of account " + opts.accounts[0]
			default:
				who = " of accounts " + strings.Join(opts.accounts, ", ")
			}
			v.add(p, privacyField, "TikTok privacy level %q is not among the creator's options%s: %s",
				post.Privacy, who, strings.Join(opts.levels, ", "))
		}
	}
}

func (v *validation) youtube(c Content) {
	const p = ProviderYouTube
	o := c.Overrides.YouTube
	if o == nil {
		o = &YouTubeOverride{}
	}
	post := c.Render(p)

	titleField := "title"
	if o.Title != nil {
		titleField = "overrides.youtube.title"
	}
	switch n := utf8.RuneCountInString(post.Title); {
	case strings.TrimSpace(post.Title) == "":
		v.add(p, titleField, "a YouTube video needs a title of 1 to %d characters", MaxYouTubeTitle)
	case n > MaxYouTubeTitle:
		v.add(p, titleField, "the YouTube title is %d characters (Unicode code points), over the limit of %d characters", n, MaxYouTubeTitle)
	}
	if strings.ContainsAny(post.Title, "<>") {
		v.add(p, titleField, "the YouTube title must not contain < or >")
	}

	descField := "body"
	switch {
	case o.Description != nil:
		descField = "overrides.youtube.description"
	case o.Caption != nil:
		descField = "overrides.youtube.caption"
	}
	if n := len(post.Caption); n > MaxYouTubeDescription {
		v.add(p, descField, "the YouTube description, hashtags included, is %d bytes (UTF-8), over the limit of %d bytes", n, MaxYouTubeDescription)
	}
	if strings.ContainsAny(youTubeDescription(c.Body, o), "<>") {
		v.add(p, descField, "the YouTube description must not contain < or >")
	}

	if n := YouTubeTagsLength(post.Tags); n > MaxYouTubeTagsChars {
		v.add(p, "overrides.youtube.tags", "the YouTube tags add up to %d characters as YouTube counts them (a comma between tags, quotes around a tag with a space), over the limit of %d characters",
			n, MaxYouTubeTagsChars)
	}
	for i, t := range post.Tags {
		if strings.TrimSpace(t) == "" || strings.ContainsAny(t, "<>") {
			v.add(p, fmt.Sprintf("overrides.youtube.tags[%d]", i), "a YouTube tag must not be empty or contain < or >, got %q", shorten(t))
		}
	}

	if !slices.Contains(YouTubePrivacies, post.Privacy) {
		v.add(p, "overrides.youtube.privacy", "YouTube privacy %q is none of %s", post.Privacy, strings.Join(YouTubePrivacies, ", "))
	}

	if images, videos := countKinds(c.Media); videos != 1 || images != 0 {
		v.add(p, "media", "a YouTube upload takes exactly 1 video, got %s", describeMedia(images, videos))
	}
}

// utf16Len is the length of s in UTF-16 code units, as TikTok counts.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r) // invalid UTF-8 ranges as U+FFFD: 1
	}
	return n
}

// countKinds counts the images and videos among media (other kinds are
// reported by the base rules).
func countKinds(media []MediaRef) (images, videos int) {
	for _, m := range media {
		switch m.Kind {
		case MediaImage:
			images++
		case MediaVideo:
			videos++
		}
	}
	return images, videos
}

func describeMedia(images, videos int) string {
	return plural(images, "image") + " and " + plural(videos, "video")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// hasExtension reports whether the path of the URL raw ends in one of exts,
// in any case (the query and fragment left out).
func hasExtension(raw string, exts ...string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	path := strings.ToLower(u.Path)
	return slices.ContainsFunc(exts, func(e string) bool { return strings.HasSuffix(path, e) })
}

// describeRune names a character for a message, the invisible ones by code.
func describeRune(r rune) string {
	if unicode.IsGraphic(r) && !unicode.IsSpace(r) {
		return strconv.QuoteRune(r)
	}
	return fmt.Sprintf("U+%04X", r)
}

// shorten keeps messages readable when they quote user input.
func shorten(s string) string {
	const limit = 80
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	return string([]rune(s)[:limit]) + "…"
}
