// The API token lives in sessionStorage: it survives a reload of the tab, and is gone when the
// tab closes; other tabs sign in for themselves.
const TOKEN_KEY = "stackwright.token";
const TENANT_KEY = "stackwright.tenant";

export const tokenStore = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  tenant: (): string | null => sessionStorage.getItem(TENANT_KEY),
  save(token: string): void {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  saveTenant(name: string): void {
    sessionStorage.setItem(TENANT_KEY, name);
  },
  clear(): void {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(TENANT_KEY);
  },
};
