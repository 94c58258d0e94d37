// The Service Gateway engine in Azure: a Function App on Flex Consumption with its storage, the
// Service Bus queues between the forwarder and the functions, monitoring, two managed identities
// with least-privilege roles, and the workbook. `azd up` deploys it; the forwarder runs in the
// cluster (infra/k8s/) with the values the outputs below give.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; it names and tags every resource.')
param environmentName string

@minLength(1)
@description('Region of the engine\'s resources. Flex Consumption must be offered there.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group to create for the engine; empty for rg-<environmentName>.')
param resourceGroupName string = ''

@minLength(1)
@description('The name the engine knows the cluster by: the forwarder\'s CLUSTER_NAME and the Service Bus session id.')
param clusterName string

@minLength(1)
@description('Resource group of the cluster\'s Service Gateway, where the engine creates Public IPs, load balancers and NAT gateways (on AKS, the node resource group). The engine gets a custom role here with exactly the network actions it calls (infra/modules/networkRole.bicep).')
param clusterResourceGroup string

@description('Subscription of that resource group and of every network resource the engine writes; empty for the subscription of this deployment.')
param nrpSubscriptionId string = ''

@description('Subscription of the cluster; empty for the NRP subscription.')
param clusterSubscriptionId string = ''

@minLength(1)
@description('Virtual network of the cluster; the load balancers\' backend pools refer to it.')
param vnetName string

@description('Resource group of that virtual network; empty for clusterResourceGroup.')
param vnetResourceGroup string = ''

@description('Region of the cluster\'s network resources; empty for location.')
param clusterLocation string = ''

@description('Name of the cluster\'s Service Gateway; empty for servicegateway.')
param serviceGatewayName string = ''

@minLength(1)
@description('OIDC issuer URL of the cluster (az aks show --query oidcIssuerProfile.issuerUrl); the forwarder\'s ServiceAccount tokens from this issuer are exchanged for its identity\'s tokens.')
param oidcIssuerUrl string

@description('Kubernetes namespace and ServiceAccount of the forwarder (infra/k8s/serviceaccount.yaml).')
param forwarderNamespace string = 'servicegateway-system'
param forwarderServiceAccount string = 'servicegateway-forwarder'

@description('Client id of the Entra ID app registration that guards the debug endpoints (App Service authentication); empty: function keys alone (docs/runbook.md#debug-endpoints).')
param debugEntraClientId string = ''

@description('Most instances the Function App scales out to.')
param maximumInstanceCount int = 100

// Name prefixes of the Azure Cloud Adoption Framework, as the azd templates use them.
var abbrs = {
  resourceGroup: 'rg-'
  managedIdentity: 'id-'
  storageAccount: 'st'
  serviceBusNamespace: 'sb-'
  logAnalytics: 'log-'
  appInsights: 'appi-'
  appServicePlan: 'plan-'
  functionApp: 'func-'
}
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = '${abbrs.functionApp}engine-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(toLower(uniqueString(functionAppName, resourceToken)), 7)}'

var nrpSubscription = empty(nrpSubscriptionId) ? subscription().subscriptionId : nrpSubscriptionId

// Names the code uses: the tables (shared/state/tableStateStore.ts DEFAULT_STATE_TABLE,
// shared/azure/throttleDefaults.ts DEFAULT_THROTTLE_TABLE) and the two queues the forwarder uses
// (shared/messages/outgoing.ts); test/unit/infra/bicep.test.ts holds them equal.
var stateTableName = 'engineState'
var throttleTableName = 'nrpThrottle'
var eventsQueueName = 'engine-events'
var actionsQueueName = 'k8s-actions'
// The queues the engine's functions send to and are triggered by (functions/); the engine holds a
// data role on each of these queues and on no other (test/unit/infra/bicepRoles.test.ts).
var engineSendQueueNames = [
  eventsQueueName
  'service-ops'
  'locations-sync'
  actionsQueueName
  'rejected-messages'
]
var engineReceiveQueueNames = [
  eventsQueueName
  'service-ops'
  'locations-sync'
]

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourceGroup}${environmentName}'
  location: location
  tags: tags
}

module engineIdentity './modules/identity.bicep' = {
  name: 'engineIdentity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentity}engine-${resourceToken}'
    location: location
    tags: tags
  }
}

module forwarderIdentity './modules/identity.bicep' = {
  name: 'forwarderIdentity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentity}forwarder-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring './modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.logAnalytics}${resourceToken}'
    appInsightsName: '${abbrs.appInsights}${resourceToken}'
    location: location
    tags: tags
  }
}

module storage './modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageAccount}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    tableNames: [
      stateTableName
      throttleTableName
    ]
  }
}

module serviceBus './modules/serviceBus.bicep' = {
  name: 'serviceBus'
  scope: rg
  params: {
    name: '${abbrs.serviceBusNamespace}${resourceToken}'
    location: location
    tags: tags
  }
}

module functionApp './modules/functionApp.bicep' = {
  name: 'functionApp'
  scope: rg
  params: {
    name: functionAppName
    planName: '${abbrs.appServicePlan}${resourceToken}'
    location: location
    tags: tags
    serviceName: 'api'
    identityId: engineIdentity.outputs.id
    identityClientId: engineIdentity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    appInsightsName: monitoring.outputs.appInsightsName
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    stateTableName: stateTableName
    clusterName: clusterName
    clusterSubscriptionId: empty(clusterSubscriptionId) ? nrpSubscription : clusterSubscriptionId
    networkSubscriptionId: nrpSubscription
    clusterResourceGroup: clusterResourceGroup
    vnetName: vnetName
    vnetResourceGroup: empty(vnetResourceGroup) ? clusterResourceGroup : vnetResourceGroup
    clusterLocation: empty(clusterLocation) ? location : clusterLocation
    serviceGatewayName: empty(serviceGatewayName) ? 'servicegateway' : serviceGatewayName
    maximumInstanceCount: maximumInstanceCount
    debugEntraClientId: debugEntraClientId
  }
}

module engineRoles './modules/roles.bicep' = {
  name: 'engineRoles'
  scope: rg
  params: {
    principalId: engineIdentity.outputs.principalId
    storageAccountName: storage.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
    sendQueueNames: engineSendQueueNames
    receiveQueueNames: engineReceiveQueueNames
  }
}

// The cluster's resource group, possibly in another subscription: the only place the engine may
// write network resources, and only those it writes (a custom role, docs/adr/0021).
module networkRole './modules/networkRole.bicep' = {
  name: 'engineNetworkRole-${resourceToken}'
  scope: resourceGroup(nrpSubscription, clusterResourceGroup)
  params: {
    principalId: engineIdentity.outputs.principalId
  }
}

// The cluster's VNet, in its own resource group when it has one: the backend pools the engine
// registers name it.
module vnetRole './modules/vnetRole.bicep' = {
  name: 'engineVnetRole-${resourceToken}'
  scope: resourceGroup(nrpSubscription, empty(vnetResourceGroup) ? clusterResourceGroup : vnetResourceGroup)
  params: {
    principalId: engineIdentity.outputs.principalId
    vnetName: vnetName
  }
}

module forwarder './modules/forwarder.bicep' = {
  name: 'forwarder'
  scope: rg
  params: {
    identityName: forwarderIdentity.outputs.name
    principalId: forwarderIdentity.outputs.principalId
    serviceBusNamespaceName: serviceBus.outputs.name
    eventsQueueName: eventsQueueName
    actionsQueueName: actionsQueueName
    oidcIssuerUrl: oidcIssuerUrl
    serviceAccountNamespace: forwarderNamespace
    serviceAccountName: forwarderServiceAccount
  }
}

module workbook './modules/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: {
    location: location
    tags: tags
    displayName: 'Service Gateway engine (${environmentName})'
    appInsightsName: monitoring.outputs.appInsightsName
    serviceBusNamespaceName: serviceBus.outputs.name
  }
}

// azd reads these into the environment (azd env get-values).
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output SERVICE_API_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_NAME string = functionApp.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.appInsightsName

// The forwarder's configuration (infra/k8s/): the first two are configmap.yaml keys, the client
// id goes into serviceaccount.yaml. Names and ids only; the forwarder signs in with its identity.
output CLUSTER_NAME string = clusterName
output SERVICEBUS_FULLY_QUALIFIED_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output FORWARDER_CLIENT_ID string = forwarderIdentity.outputs.clientId
output FORWARDER_SERVICE_ACCOUNT string = '${forwarderNamespace}/${forwarderServiceAccount}'
output ENGINE_EVENTS_QUEUE string = eventsQueueName
output K8S_ACTIONS_QUEUE string = actionsQueueName
