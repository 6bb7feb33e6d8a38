/** `sprout:platform` as `sprout deploy` passes it, one per domain mode. */
export const subdomainContext = {
  stage: 'prod',
  project: 'shop',
  stackName: 'shop-platform-prod',
  account: '333333333333',
  region: 'eu-west-1',
  domain: {
    mode: 'subdomain',
    rootDomain: 'example.com',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    delegationRoleName: 'sprout-dns-shop-prod',
    trustedAccounts: ['111111111111', '222222222222'],
    delegatedNames: ['catalog.example.com', 'orders.example.com'],
  },
};

export const pathContext = {
  stage: 'dev',
  project: 'shop',
  stackName: 'shop-platform-dev',
  account: '333333333333',
  region: 'eu-west-1',
  domain: { mode: 'path', rootDomain: 'example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', domainName: 'dev.example.com' },
};
