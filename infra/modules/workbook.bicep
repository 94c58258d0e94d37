// The engine's workbook: the key metrics from Application Insights (customMetrics) and the Service
// Bus queue depths and dead letters, saved under the Application Insights resource.

param location string
param tags object = {}
param displayName string
param appInsightsName string
param serviceBusNamespaceName string

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

// The JSON stays a file of its own so it can be edited in the portal and pasted back; the ids it
// needs are known only at deployment and replace its placeholders.
var serializedData = replace(
  replace(loadTextContent('../workbook/engine-workbook.json'), '__APP_INSIGHTS_ID__', appInsights.id),
  '__SERVICE_BUS_NAMESPACE_ID__',
  namespace.id
)

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name must be a GUID; this one is stable per Application Insights resource.
  name: guid(appInsights.id, 'engine-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: appInsights.id
    serializedData: serializedData
  }
}

output id string = workbook.id
