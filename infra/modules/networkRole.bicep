// The engine's identity may do in the cluster's resource group exactly what the network adapter
// calls there (shared/azure/armActions.ts, docs/adr/0021), and nothing else: a custom role that
// can be assigned only in that resource group, assigned to the engine there. Not Network
// Contributor, which would let the engine change every VNet, subnet, NSG and route table of the
// group. main.bicep deploys this module into that resource group (which may be in another
// subscription); the assignment takes the module's scope.
targetScope = 'resourceGroup'

@description('Principal (object) id of the engine\'s managed identity.')
param principalId string

// Through a variable: tree-sitter-bicep 1.1.0 reads `resourceGroup().id` inside an array as two
// items (docs/adr/0007).
var thisResourceGroup = resourceGroup().id

// Sorted as actionsAt('clusterResourceGroup') sorts them; test/unit/infra/bicepRoles.test.ts holds
// the two equal.
var actions = [
  'Microsoft.Network/loadBalancers/backendAddressPools/join/action'
  'Microsoft.Network/loadBalancers/delete'
  'Microsoft.Network/loadBalancers/read'
  'Microsoft.Network/loadBalancers/write'
  'Microsoft.Network/locations/operationResults/read'
  'Microsoft.Network/locations/operations/read'
  'Microsoft.Network/natGateways/delete'
  'Microsoft.Network/natGateways/join/action'
  'Microsoft.Network/natGateways/read'
  'Microsoft.Network/natGateways/write'
  'Microsoft.Network/publicIPAddresses/delete'
  'Microsoft.Network/publicIPAddresses/join/action'
  'Microsoft.Network/publicIPAddresses/read'
  'Microsoft.Network/publicIPAddresses/write'
  'Microsoft.Network/serviceGateways/addressLocations/read'
  'Microsoft.Network/serviceGateways/join/action'
  'Microsoft.Network/serviceGateways/services/read'
  'Microsoft.Network/serviceGateways/updateAddressLocations/action'
  'Microsoft.Network/serviceGateways/updateServices/action'
]

// Role names are unique in the tenant: one per resource group and identity.
resource networkRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, 'servicegateway-engine-network')
  properties: {
    roleName: 'Service Gateway engine network ${uniqueString(resourceGroup().id, principalId)}'
    description: 'What the Service Gateway engine calls on Public IPs, load balancers, NAT gateways and the Service Gateway of this resource group.'
    type: 'CustomRole'
    permissions: [
      {
        actions: actions
        notActions: []
      }
    ]
    assignableScopes: [
      thisResourceGroup
    ]
  }
}

resource networkRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, networkRole.id)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: networkRole.id
  }
}
