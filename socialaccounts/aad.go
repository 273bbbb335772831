package socialaccounts

import (
	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
)

// Token kinds sealed in a social account's row.
const (
	AccessToken  = "access"
	RefreshToken = "refresh"
)

// TokenAAD is the associated data a social account's token is sealed with:
// it binds the ciphertext to its organization, account, provider and kind,
// so a ciphertext copied to another row, or to the other column, does not
// open. `smm keys rotate` re-seals with the same.
func TokenAAD(org, account uuid.UUID, provider domain.Provider, kind string) []byte {
	return []byte("smm/social-token/v1|" + org.String() + "|" + account.String() + "|" + string(provider) + "|" + kind)
}
