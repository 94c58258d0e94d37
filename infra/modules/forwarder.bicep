// What the in-cluster forwarder (infra/k8s/) may do in Azure: sign in as its managed identity
// through Azure Workload Identity, send to the events queue and receive from the actions queue.
// Nothing else, not even the other queues of the same namespace.

@description('Name and principal (object) id of the forwarder\'s managed identity.')
param identityName string
param principalId string

param serviceBusNamespaceName string

@description('The queue the forwarder sends Kubernetes changes to.')
param eventsQueueName string

@description('The queue the forwarder receives the engine\'s Kubernetes actions from.')
param actionsQueueName string

@description('OIDC issuer URL of the cluster (az aks show --query oidcIssuerProfile.issuerUrl).')
param oidcIssuerUrl string

@description('Kubernetes namespace and ServiceAccount the forwarder runs as (infra/k8s/serviceaccount.yaml).')
param serviceAccountNamespace string
param serviceAccountName string

// Built-in role definition ids (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var role = {
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource eventsQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' existing = {
  parent: namespace
  name: eventsQueueName
}

resource actionsQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' existing = {
  parent: namespace
  name: actionsQueueName
}

// Tokens of exactly this ServiceAccount of exactly this cluster may be exchanged for the
// identity's tokens; the subject format is Kubernetes' own.
resource federation 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2024-11-30' = {
  parent: identity
  name: serviceAccountName
  properties: {
    issuer: oidcIssuerUrl
    subject: 'system:serviceaccount:${serviceAccountNamespace}:${serviceAccountName}'
    audiences: [
      'api://AzureADTokenExchange'
    ]
  }
}

resource sendEvents 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(eventsQueue.id, principalId, role.serviceBusDataSender)
  scope: eventsQueue
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.serviceBusDataSender)
  }
}

resource receiveActions 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(actionsQueue.id, principalId, role.serviceBusDataReceiver)
  scope: actionsQueue
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.serviceBusDataReceiver)
  }
}

output federatedSubject string = federation.properties.subject
