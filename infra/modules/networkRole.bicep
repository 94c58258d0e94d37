// Network Contributor for the engine's identity on the cluster's resource group, and nowhere else:
// the engine creates and deletes Public IPs, load balancers and NAT gateways there and posts to its
// Service Gateway. main.bicep deploys this module into that resource group (which may be in
// another subscription); the assignment takes the module's scope.
targetScope = 'resourceGroup'

@description('Principal (object) id of the engine\'s managed identity.')
param principalId string

// Built-in role definition id (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var networkContributor = '4d97b98b-1d4f-4787-a291-c67834d212e7'

resource networkContributorRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, networkContributor)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', networkContributor)
  }
}
