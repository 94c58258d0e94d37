// What the engine needs on the cluster's virtual network: an inbound service's registration names
// the VNet beside the load balancer's backend pool, and ARM checks that the caller may join a load
// balancer to it (shared/azure/armActions.ts, docs/adr/0021). A custom role with just that,
// assigned on the one VNet. main.bicep deploys this module into the VNet's resource group, which may
// differ from the cluster's.
targetScope = 'resourceGroup'

@description('Principal (object) id of the engine\'s managed identity.')
param principalId string

@description('The cluster\'s virtual network, in this module\'s resource group.')
param vnetName string

// Through a variable: tree-sitter-bicep 1.1.0 reads `resourceGroup().id` inside an array as two
// items (docs/adr/0007).
var thisResourceGroup = resourceGroup().id

// Sorted as actionsAt('virtualNetwork') sorts them; test/unit/infra/bicepRoles.test.ts holds the
// two equal.
var actions = [
  'Microsoft.Network/virtualNetworks/joinLoadBalancer/action'
  'Microsoft.Network/virtualNetworks/read'
]

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' existing = {
  name: vnetName
}

resource vnetRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, 'servicegateway-engine-vnet')
  properties: {
    roleName: 'Service Gateway engine VNet ${uniqueString(resourceGroup().id, principalId)}'
    description: 'Lets the Service Gateway engine name this resource group\'s virtual network in the backend pools it registers.'
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

resource vnetRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vnet.id, principalId, vnetRole.id)
  scope: vnet
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: vnetRole.id
  }
}
