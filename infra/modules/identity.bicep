// A user-assigned managed identity. The engine and the forwarder each get their own, so each can
// hold only the roles it needs and the forwarder's federated credential trusts nothing but the
// forwarder's ServiceAccount.

@description('Name of the identity.')
param name string

param location string
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
